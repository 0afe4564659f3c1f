// A visible link to the same page in the other edition (English <-> 中文). The page carries it
// as <link rel="alternate" data-ganlib-edition> (set by _ext/ganlib_book.py); this script shows it
// in the header next to the theme's buttons, or at the top of the article when there is no header.
(function () {
  function addSwitch() {
    var link = document.querySelector('link[rel="alternate"][data-ganlib-edition]');
    if (!link || document.querySelector(".ganlib-language-switch")) return;
    var a = document.createElement("a");
    a.className = "ganlib-language-switch btn btn-sm";
    a.href = link.getAttribute("href");
    a.textContent = link.getAttribute("title");
    a.setAttribute("hreflang", link.getAttribute("hreflang"));
    a.setAttribute("lang", link.getAttribute("hreflang"));
    var where = document.querySelector(".article-header-buttons") || document.querySelector("article") || document.body;
    where.insertBefore(a, where.firstChild);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", addSwitch);
  else addSwitch();
})();
