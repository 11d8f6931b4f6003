/* Highlight the quote a link points at (#c-START-END): every text segment inside that range. */
(function () {
  "use strict";
  function highlight() {
    document.querySelectorAll(".seg.hl").forEach(function (el) { el.classList.remove("hl"); });
    var m = /^#c-(\d+)-(\d+)$/.exec(window.location.hash);
    if (!m) return;
    var s = Number(m[1]), e = Number(m[2]), first = null;
    document.querySelectorAll(".seg[data-s]").forEach(function (el) {
      var a = Number(el.dataset.s), b = Number(el.dataset.e);
      if (a < e && b > s) { el.classList.add("hl"); if (!first) first = el; }
    });
    if (first) first.scrollIntoView({block: "center"});
  }
  window.addEventListener("hashchange", highlight);
  highlight();
})();
