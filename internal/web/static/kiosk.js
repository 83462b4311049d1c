// Kiosk idle reset: after a quiet spell, ask "still there?" with a visible
// countdown; if nobody answers, clear everything the last visitor did and
// go back to the attract screen. No other script runs on the site.
(function () {
  "use strict";
  var body = document.body;
  var idle = parseInt(body.getAttribute("data-idle"), 10) * 1000;
  var countdown = parseInt(body.getAttribute("data-countdown"), 10);
  var dialog = document.getElementById("idle-dialog");
  var count = document.getElementById("idle-count");
  var resetForm = document.getElementById("idle-reset");
  if (!idle || !dialog || !resetForm) {
    return;
  }
  var idleTimer = 0;
  var tick = 0;
  var left = countdown;

  function reset() {
    try { window.sessionStorage.clear(); window.localStorage.clear(); } catch (e) { /* storage may be disabled */ }
    resetForm.submit();
  }

  function showDialog() {
    left = countdown;
    count.textContent = String(left);
    dialog.hidden = false;
    document.getElementById("idle-continue").focus();
    tick = window.setInterval(function () {
      left -= 1;
      count.textContent = String(Math.max(left, 0));
      if (left <= 0) {
        window.clearInterval(tick);
        reset();
      }
    }, 1000);
  }

  function activity() {
    if (!dialog.hidden) {
      return; // only the Continue button dismisses the dialog
    }
    window.clearTimeout(idleTimer);
    idleTimer = window.setTimeout(showDialog, idle);
  }

  document.getElementById("idle-continue").addEventListener("click", function () {
    window.clearInterval(tick);
    dialog.hidden = true;
    activity();
  });
  ["pointerdown", "keydown", "touchstart", "wheel", "scroll"].forEach(function (ev) {
    window.addEventListener(ev, activity, { passive: true, capture: true });
  });
  activity();
})();
