// Library uploads: send the editor's form with XMLHttpRequest to show how
// far a large upload has gone (a 50 MB video takes minutes on event Wi-Fi).
// The form works without this script. With it, sizes are checked before
// anything is sent; a saved draft opens its page; a form sent back with
// problems replaces the page's main part, focus on the problems; and when
// the connection drops, the form stays as it was, files still chosen, to
// send again.
(function () {
  "use strict";

  function bind(form) {
    var box = form.querySelector("[data-upload-progress]");
    var bar = box && box.querySelector("progress");
    var status = form.querySelector("[data-upload-status]");
    if (!bar || !status) {
      return;
    }
    var busy = false;

    // A polite live region: said once per step, not for every event.
    function say(text) {
      status.textContent = text;
    }

    function buttons(disabled) {
      Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) { b.disabled = disabled; });
    }

    function failed() {
      busy = false;
      form.removeAttribute("aria-busy");
      box.hidden = true;
      buttons(false);
      say(form.getAttribute("data-msg-failed"));
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (busy) {
        return;
      }
      var total = 0;
      Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (input) {
        Array.prototype.forEach.call(input.files || [], function (f) { total += f.size; });
      });
      if (total > parseInt(form.getAttribute("data-max-body"), 10)) {
        say(form.getAttribute("data-msg-too-large"));
        return;
      }
      var data = new FormData(form);
      // The button pressed (save, or show the preview) is part of the form.
      if (e.submitter && e.submitter.name) {
        data.append(e.submitter.name, e.submitter.value);
      }
      var xhr = new XMLHttpRequest();
      var said = -1;
      xhr.open("POST", form.action);
      xhr.upload.addEventListener("progress", function (ev) {
        if (!ev.lengthComputable) {
          return;
        }
        var percent = Math.floor(ev.loaded * 100 / ev.total);
        bar.value = percent;
        if (percent - percent % 10 > said) {
          said = percent - percent % 10;
          say(form.getAttribute("data-msg-progress").replace("{percent}", String(percent)));
        }
      });
      xhr.upload.addEventListener("load", function () {
        bar.removeAttribute("value"); // the server checks the files now
        say(form.getAttribute("data-msg-checking"));
      });
      xhr.addEventListener("load", function () {
        if (xhr.status < 400 && xhr.responseURL && xhr.responseURL !== form.action) {
          window.location.assign(xhr.responseURL); // saved: the draft's page
          return;
        }
        if (!show(xhr.responseText)) {
          failed();
        }
      });
      xhr.addEventListener("error", failed);
      xhr.addEventListener("abort", failed);
      busy = true;
      form.setAttribute("aria-busy", "true");
      bar.value = 0;
      box.hidden = false;
      buttons(true);
      xhr.send(data);
    });
  }

  // show puts the main part of a returned page in place of this one's and
  // moves focus to what the editor must read first.
  function show(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var next = doc.getElementById("main");
    var main = document.getElementById("main");
    if (!next || !main) {
      return false;
    }
    main.replaceWith(document.adoptNode(next));
    document.title = doc.title;
    var first = next.querySelector(".notice-error") || next.querySelector("h1");
    if (first) {
      first.setAttribute("tabindex", "-1");
      first.focus();
    }
    var form = next.querySelector("form[data-upload]");
    if (form) {
      bind(form);
    }
    return true;
  }

  if (!window.FormData || !window.XMLHttpRequest || !window.DOMParser) {
    return;
  }
  var form = document.querySelector("form[data-upload]");
  if (form) {
    bind(form);
  }
})();
