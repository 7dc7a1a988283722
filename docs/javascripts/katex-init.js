// Typeset the formulas of a page with the KaTeX files served by this site.
// Tutorial pages keep $...$ from their notebooks; Markdown pages and docstrings
// arrive as \(...\) and \[...\] (pymdownx.arithmatex, generic mode).
(function () {
  function typeset() {
    renderMathInElement(document.querySelector("article") || document.body, {
      delimiters: [
        { left: "$$", right: "$$", display: true },
        { left: "\\[", right: "\\]", display: true },
        { left: "\\(", right: "\\)", display: false },
        { left: "$", right: "$", display: false },
      ],
      ignoredTags: ["script", "noscript", "style", "textarea", "pre", "code", "option"],
      throwOnError: false,
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", typeset);
  } else {
    typeset();
  }
})();
