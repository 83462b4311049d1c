// Kiosk idle reset: after a quiet spell, ask "still there?" with a visible
// countdown; if nobody answers, clear everything the last visitor did and
// go back to the attract screen. Then the attract screen's watch loop.
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

// Attract screen: the event's videos play one after another, muted with
// captions, round and round (a single video loops by itself). Touching
// the screen follows its link to the kiosk home; so does any key but Tab,
// which still moves to the language switch. Without this script the first
// video plays once.
(function () {
  "use strict";
  var attract = document.querySelector(".attract");
  if (!attract) {
    return;
  }
  document.addEventListener("keydown", function (e) {
    var at = document.activeElement;
    if (e.key !== "Tab" && e.key !== "Shift" && (at === document.body || at === attract)) {
      window.location.href = attract.href;
    }
  });
  var films = Array.prototype.slice.call(document.querySelectorAll(".attract-video"));
  if (!films.length) {
    return;
  }
  if (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
    films.forEach(function (v) { v.pause(); v.removeAttribute("autoplay"); });
    return; // the first poster stays, still
  }
  var current = 0;
  var failed = 0;

  function show(i) {
    films[current].pause();
    films[current].hidden = true;
    current = i;
    var v = films[current];
    v.hidden = false;
    v.preload = "auto";
    v.currentTime = 0;
    var played = v.play();
    if (played && played.catch) {
      played.catch(function () { /* autoplay refused: the poster shows */ });
    }
  }

  films.forEach(function (v) {
    v.addEventListener("ended", function () { show((current + 1) % films.length); });
    v.addEventListener("playing", function () { failed = 0; });
    // A source's error does not bubble: catch it on the way down. A film
    // that cannot play is skipped, until every one has failed in a row.
    v.addEventListener("error", function (e) {
      if (e.target.tagName === "TRACK") {
        return; // missing captions do not stop the film
      }
      failed += 1;
      if (failed < films.length && films.length > 1) {
        show((current + 1) % films.length);
      }
    }, true);
  });
})();
