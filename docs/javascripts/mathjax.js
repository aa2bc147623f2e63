// MathJax configuration. The renderer itself is bundled in javascripts/mathjax/tex-svg.js
// (MathJax 3.2.2, see NOTICE.txt there): no CDN, so formulas render without internet.
window.MathJax = {
  tex: { inlineMath: [["\\(", "\\)"]], displayMath: [["\\[", "\\]"]],
         processEscapes: true, processEnvironments: true },
  options: { ignoreHtmlClass: ".*|", processHtmlClass: "arithmatex" },
  svg: { fontCache: "global" }
};
// Material's instant navigation swaps the page without reloading scripts: typeset again.
document$.subscribe(() => {
  if (window.MathJax && MathJax.typesetPromise) {
    if (MathJax.startup.output.clearCache) MathJax.startup.output.clearCache();  // CHTML only
    MathJax.typesetClear();
    MathJax.texReset();
    MathJax.typesetPromise();
  }
});
