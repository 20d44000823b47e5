/*
 * Enquiry page: the search box takes typed text, a USB scanner's typing (the card's QR payload and Enter:
 * an ordinary form submit), or a camera scan. "Scan with camera" reads video frames into a canvas and
 * decodes them with the vendored jsQR (static/vendor/qr/); the first code found fills the box and submits
 * (enquiry) or, when the button names no form, announces the new value (the new-claim page looks it up).
 * Messages come translated from the page (data-* attributes on the button).
 */
(function () {
  "use strict";

  function start(button) {
    var form = document.getElementById(button.dataset.form);
    var input = document.getElementById(button.dataset.input);
    var box = document.getElementById("camera-box");
    var video = document.getElementById("camera-video");
    var status = document.getElementById("camera-status");
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    var stream = null;

    function stop() {
      if (stream) {
        stream.getTracks().forEach(function (track) { track.stop(); });
        stream = null;
      }
      box.hidden = true;
    }

    function tick() {
      if (!stream) {
        return;
      }
      if (video.readyState === video.HAVE_ENOUGH_DATA) {
        canvas.width = video.videoWidth;
        canvas.height = video.videoHeight;
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        var image = context.getImageData(0, 0, canvas.width, canvas.height);
        var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
        if (code && code.data) {
          input.value = code.data;
          stop();
          if (form) {
            form.submit();
          } else {
            // no form to submit (the new-claim page): the box's own listeners (the HTMX lookup) take it
            input.dispatchEvent(new Event("input", { bubbles: true }));
            input.dispatchEvent(new Event("change", { bubbles: true }));
          }
          return;
        }
      }
      window.requestAnimationFrame(tick);
    }

    button.addEventListener("click", function () {
      if (stream) {
        stop();
        return;
      }
      box.hidden = false;
      status.textContent = button.dataset.waiting;
      navigator.mediaDevices
        .getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (s) {
          stream = s;
          video.srcObject = s;
          video.setAttribute("playsinline", "true");
          video.play();
          status.textContent = button.dataset.scanning;
          window.requestAnimationFrame(tick);
        })
        .catch(function () {
          status.textContent = button.dataset.denied;
        });
    });
    document.getElementById("camera-stop").addEventListener("click", stop);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("camera-scan");
    if (!button) {
      return;
    }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.jsQR) {
      button.disabled = true;
      button.title = button.dataset.unavailable;
      return;
    }
    start(button);
  });
})();
