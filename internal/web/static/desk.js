// Souvenir desk. Without this script the desk works already: a USB barcode
// scanner types the code and Enter into the focused field, which submits
// the form. The script keeps that field focused for the next scan, and adds
// camera scanning: BarcodeDetector where the browser has it, else jsqr.js
// (loaded only then, from the URL in #desk's data-jsqr). A code read is put
// in the field and the form is submitted, exactly as a scanner would.
(function () {
  "use strict";
  var desk = document.getElementById("desk");
  var form = document.getElementById("redeem-form");
  var input = document.getElementById("voucher-code");
  if (!desk || !form || !input) {
    return;
  }

  var TEXT = {
    vi: {
      starting: "Đang bật camera…",
      scanning: "Đang quét… Hãy đưa mã QR trên phiếu vào giữa khung hình.",
      read: "Đã đọc được mã. Đang kiểm tra…",
      denied: "Chưa được phép dùng camera. Hãy cho phép trong cài đặt của trình duyệt rồi thử lại.",
      unavailable: "Không quét được bằng camera trên thiết bị này. Hãy dùng máy quét mã vạch hoặc gõ mã.",
      stop: "Tắt camera"
    },
    en: {
      starting: "Starting the camera…",
      scanning: "Scanning… Hold the QR code on the voucher in the middle of the picture.",
      read: "Code read. Checking…",
      denied: "The camera is not allowed. Allow it in the browser's settings and try again.",
      unavailable: "The camera cannot scan on this device. Use the barcode scanner or type the code.",
      stop: "Stop the camera"
    }
  };
  var text = TEXT[(document.documentElement.lang || "").slice(0, 2) === "en" ? "en" : "vi"];

  function focusCode() {
    input.focus();
    try {
      input.select();
    } catch (e) { /* nothing to select */ }
  }
  // After the browser's own autofocus, and again when the page comes back
  // from the back/forward cache.
  window.requestAnimationFrame(focusCode);
  window.addEventListener("pageshow", function (e) {
    if (e.persisted) {
      focusCode();
    }
  });

  // A scan must land in the code field even when focus has wandered (an
  // item was chosen, a button pressed): a printable key typed outside a
  // text field moves focus there first, and the key follows it.
  document.addEventListener("keydown", function (e) {
    if (typeof e.key !== "string" || e.key.length !== 1 || e.key === " " || e.ctrlKey || e.metaKey || e.altKey) {
      return;
    }
    var a = document.activeElement;
    if (a === input || a && (a.isContentEditable || a.tagName === "TEXTAREA" || a.tagName === "SELECT" ||
        a.tagName === "INPUT" && !/^(radio|checkbox|button|submit|reset)$/.test(a.type))) {
      return;
    }
    focusCode();
  }, true);

  // Camera scanning.
  var start = document.getElementById("scan-start");
  var video = document.getElementById("scan-video");
  var status = document.getElementById("scan-status");
  if (!start || !video || !window.isSecureContext || !navigator.mediaDevices ||
      typeof navigator.mediaDevices.getUserMedia !== "function") {
    return;
  }
  start.hidden = false;
  var startLabel = start.textContent;
  var running = false;
  var stream = null;
  var timer = 0;
  var decoder = null; // a promise of decode(video) → promise of text or null; null when there is none

  var INTERVAL = 200;    // ~5 frames a second
  var REPEAT_MS = 3000;  // the same code again this soon is the same scan
  var LAST = "notalone.desk.last";

  function say(key) {
    var s = key ? text[key] : "";
    if (status && status.textContent !== s) {
      status.textContent = s;
    }
  }

  // BarcodeDetector if it reads QR codes, else jsQR; never rejects.
  function getDecoder() {
    if (!decoder) {
      decoder = nativeDecoder().then(null, loadJsQR).then(null, function () { return null; });
    }
    return decoder;
  }
  function nativeDecoder() {
    var BD = window.BarcodeDetector;
    if (!BD) {
      return Promise.reject(new Error("no BarcodeDetector"));
    }
    var formats = typeof BD.getSupportedFormats === "function" ? BD.getSupportedFormats() : Promise.resolve(["qr_code"]);
    return formats.then(function (list) {
      if (list.indexOf("qr_code") < 0) {
        throw new Error("no qr_code");
      }
      var d = new BD({ formats: ["qr_code"] });
      return function (v) {
        return d.detect(v).then(function (codes) {
          return codes.length ? codes[0].rawValue : null;
        });
      };
    });
  }
  function loadJsQR() {
    return new Promise(function (resolve, reject) {
      if (typeof window.jsQR === "function") {
        resolve();
        return;
      }
      var src = desk.getAttribute("data-jsqr");
      if (!src) {
        reject(new Error("no data-jsqr"));
        return;
      }
      var s = document.createElement("script");
      s.src = src;
      s.onload = function () {
        if (typeof window.jsQR === "function") {
          resolve();
        } else {
          reject(new Error("jsQR missing"));
        }
      };
      s.onerror = function () { reject(new Error("jsQR did not load")); };
      document.head.appendChild(s);
    }).then(function () {
      var canvas = document.createElement("canvas");
      var ctx = canvas.getContext("2d", { willReadFrequently: true });
      return function (v) {
        var w = v.videoWidth;
        var h = v.videoHeight;
        if (!w || !h || !ctx) {
          return Promise.resolve(null);
        }
        // A voucher's QR code is small and simple: 640 px is plenty, and
        // keeps a cheap phone's CPU free.
        var scale = Math.min(1, 640 / Math.max(w, h));
        var cw = Math.round(w * scale);
        var ch = Math.round(h * scale);
        if (canvas.width !== cw || canvas.height !== ch) {
          canvas.width = cw;
          canvas.height = ch;
        }
        ctx.drawImage(v, 0, 0, cw, ch);
        var found = window.jsQR(ctx.getImageData(0, 0, cw, ch).data, cw, ch, { inversionAttempts: "dontInvert" });
        return Promise.resolve(found ? found.data : null);
      };
    });
  }

  function stopTracks(s) {
    s.getTracks().forEach(function (t) { t.stop(); });
  }
  function stop() {
    running = false;
    window.clearTimeout(timer);
    timer = 0;
    if (stream) {
      stopTracks(stream);
      stream = null;
    }
    video.pause();
    video.srcObject = null;
    video.hidden = true;
    start.textContent = startLabel;
  }

  // A code read again within REPEAT_MS (also across the page load that
  // follows a scan) is ignored.
  function fresh(code) {
    var now = Date.now();
    try {
      var last = JSON.parse(window.sessionStorage.getItem(LAST) || "null");
      if (last && last.code === code && now - last.at >= 0 && now - last.at < REPEAT_MS) {
        return false;
      }
      window.sessionStorage.setItem(LAST, JSON.stringify({ code: code, at: now }));
    } catch (e) { /* storage may be disabled: no memory across pages */ }
    return true;
  }

  function read(code) {
    stop();
    say("read");
    input.value = code;
    focusCode();
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  function tick(decode) {
    timer = 0;
    if (!running) {
      return;
    }
    if (video.readyState < 2) { // HAVE_CURRENT_DATA
      timer = window.setTimeout(tick, INTERVAL, decode);
      return;
    }
    var began = Date.now();
    var next = function () {
      if (running) {
        timer = window.setTimeout(tick, Math.max(0, INTERVAL - (Date.now() - began)), decode);
      }
    };
    var p;
    try {
      p = decode(video);
    } catch (e) {
      p = Promise.resolve(null);
    }
    p.then(function (raw) {
      var code = typeof raw === "string" ? raw.trim() : "";
      if (running && code && fresh(code)) {
        read(code);
      } else {
        next();
      }
    }, next);
  }

  function begin() {
    running = true;
    start.textContent = text.stop;
    say("starting");
    var wanted = getDecoder();
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (s) {
      if (!running) { // stopped while the browser asked
        stopTracks(s);
        return null;
      }
      stream = s;
      video.srcObject = s;
      video.hidden = false;
      return Promise.all([wanted, video.play()]).then(function (r) {
        if (!running) {
          return;
        }
        if (!r[0]) {
          decoder = null; // try to load it again next time
          stop();
          say("unavailable");
          return;
        }
        say("scanning");
        tick(r[0]);
      });
    }).then(null, function (err) {
      var name = err && err.name;
      if (!running) {
        return;
      }
      stop();
      say(name === "NotAllowedError" || name === "SecurityError" ? "denied" : "unavailable");
    });
  }

  start.addEventListener("click", function () {
    if (running) {
      stop();
      say("");
      focusCode();
    } else {
      begin();
    }
  });
  // Let go of the camera when the page is out of sight.
  document.addEventListener("visibilitychange", function () {
    if (document.hidden && running) {
      stop();
      say("");
    }
  });
  window.addEventListener("pagehide", function () {
    if (running) {
      stop();
    }
  });
})();
