// Get help pages: "Leave quickly". Someone may walk up while a child reads
// how to deal with a threat, so leaving must be one tap (or Escape three
// times) and must leave no help page behind Back:
// - Leave quickly replaces this page's history entry with the neutral page;
// - links to other help pages replace this page too, so the tab's history
//   holds at most one help page, the one Leave quickly then replaces;
// - a help page leaves nothing in the back-forward cache. It is sent with
//   Cache-Control: no-store, but recent Chromium keeps even such pages there
//   (until a cookie changes); so a help page going into that cache is
//   blanked first, and one restored from it is loaded afresh: what was on
//   the screen (an open app, typed text) never comes back from memory.
// Without this script every link still works; only the history is not
// cleaned.
(function () {
  "use strict";
  var leave = document.getElementById("leave-quickly");
  if (!leave) {
    return;
  }
  var escapeWindow = 1500; // ms for three presses of Escape
  var escapes = [];

  function leaveNow() {
    window.location.replace(leave.href);
  }

  // isHelpPage says whether a (a link) opens another page of the help
  // section on this site. A link to a place on this page is left alone.
  function isHelpPage(a) {
    if (a.origin !== window.location.origin) {
      return false;
    }
    if (a.pathname !== "/help" && a.pathname.indexOf("/help/") !== 0) {
      return false;
    }
    return !(a.hash && a.pathname === window.location.pathname && a.search === window.location.search);
  }

  document.addEventListener("click", function (e) {
    if (e.defaultPrevented || e.button !== 0) {
      return;
    }
    var a = e.target.closest ? e.target.closest("a[href]") : null;
    if (!a) {
      return;
    }
    if (a === leave) {
      // Even with a modifier key: a new tab would leave this one open.
      e.preventDefault();
      leaveNow();
      return;
    }
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || a.hasAttribute("download") || (a.target && a.target !== "_self")) {
      return; // the visitor asked for a new tab or window: let it be
    }
    if (isHelpPage(a)) {
      e.preventDefault();
      window.location.replace(a.href);
    }
  });

  window.addEventListener("pagehide", function (e) {
    if (e.persisted) {
      document.body.hidden = true;
    }
  });
  window.addEventListener("pageshow", function (e) {
    if (e.persisted) {
      window.location.reload();
    }
  });

  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape" && e.key !== "Esc") {
      return;
    }
    var now = Date.now();
    escapes = escapes.filter(function (t) { return now - t < escapeWindow; });
    escapes.push(now);
    if (escapes.length >= 3) {
      escapes = [];
      leaveNow();
    }
  });
})();
