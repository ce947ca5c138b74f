// Accessibility for ipywidgets core controls (issue 16; ipywidgets#2650, #3954): gives radio groups
// and slider handles the name of their (visually hidden) description label, marks status lines as
// polite live regions and hides icon fonts from screen readers. Runs once per page; new widgets are
// handled as they appear. No network, no custom widget: works in JupyterLab and in Voila.
(function () {
  if (window.__opsvalueA11y) { return; }
  window.__opsvalueA11y = true;
  var n = 0;
  function labelId(lab) {
    if (!lab.id) { n += 1; lab.id = 'opsvalue-label-' + n; }
    return lab.id;
  }
  function fix() {
    document.querySelectorAll('.opsvalue-named').forEach(function (el) {
      var lab = el.querySelector(':scope > .widget-label');
      if (!lab || !lab.textContent.trim()) { return; }
      var box = el.querySelector(':scope > .widget-radio-box');
      if (box && box.getAttribute('role') !== 'radiogroup') {
        box.setAttribute('role', 'radiogroup');
        box.setAttribute('aria-labelledby', labelId(lab));
      }
      el.querySelectorAll('[role="slider"]:not([aria-labelledby])').forEach(function (h) {
        h.setAttribute('aria-labelledby', labelId(lab));
      });
    });
    document.querySelectorAll('.widget-slider [role="slider"]:not([aria-labelledby]):not([aria-label])').forEach(function (h) {
      var lab = h.closest('.widget-slider').querySelector(':scope > .widget-label');
      if (lab && lab.textContent.trim()) { h.setAttribute('aria-labelledby', labelId(lab)); }
    });
    document.querySelectorAll('.opsvalue-announce:not([aria-live])').forEach(function (el) {
      el.setAttribute('role', 'status');
      el.setAttribute('aria-live', 'polite');
    });
    document.querySelectorAll('.jupyter-widgets i.fa:not([aria-hidden])').forEach(function (i) {
      i.setAttribute('aria-hidden', 'true');
    });
  }
  var pending = false;
  function schedule() {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; fix(); });
  }
  fix();
  new MutationObserver(schedule).observe(document.body, { childList: true, subtree: true });
})();
