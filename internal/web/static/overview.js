// Live event overview (staff console): follows the page's Server-Sent
// Events stream and puts each new figure in place, as text only. The
// browser's EventSource reconnects by itself when the stream ends.
(function () {
  "use strict";
  var status = document.getElementById("overview-status");
  if (!status || !window.EventSource) {
    return;
  }
  var figures = document.querySelectorAll("[data-stat]");

  function say(attr) {
    var text = status.getAttribute(attr);
    if (text && status.textContent !== text) {
      status.textContent = text;
    }
  }

  var source = new EventSource(status.getAttribute("data-stream"));
  source.addEventListener("open", function () { say("data-live"); });
  source.addEventListener("error", function () {
    // CONNECTING: the browser is trying again. CLOSED: it gave up (the
    // session ended, say): only a reload helps.
    say(source.readyState === EventSource.CLOSED ? "data-closed" : "data-lost");
  });
  source.addEventListener("stats", function (e) {
    var data;
    try {
      data = JSON.parse(e.data);
    } catch (err) {
      return;
    }
    var text = data && data.text;
    if (!text) {
      return;
    }
    for (var i = 0; i < figures.length; i++) {
      var value = text[figures[i].getAttribute("data-stat")];
      // Only changed figures are touched, so the live region announces
      // what changed and nothing else.
      if (typeof value === "string" && figures[i].textContent !== value) {
        figures[i].textContent = value;
      }
    }
    say("data-live");
  });
})();
