/* The verify page's QR scanner (a static file, as the Content-Security-Policy asks of every script). */
(function () {
  // Where the browser can read QR codes itself (BarcodeDetector), scan here; elsewhere the phone's camera app does.
  if (!('BarcodeDetector' in window) || !navigator.mediaDevices) return;
  var box = document.getElementById('scan-box'), video = document.getElementById('scan-video');
  box.hidden = false;
  document.getElementById('scan').addEventListener('click', async function () {
    var detector = new BarcodeDetector({formats: ['qr_code']});
    var stream = await navigator.mediaDevices.getUserMedia({video: {facingMode: 'environment'}});
    video.srcObject = stream; video.style.display = 'block'; await video.play();
    var found = false;
    while (!found) {
      var codes = await detector.detect(video).catch(function () { return []; });
      for (var c of codes) {
        var url = c.rawValue || '';
        var m = url.match(/\/verify\/([0-9a-f-]{36})$/i);
        if (m) { found = true; stream.getTracks().forEach(function (t) { t.stop(); });
                 window.location = box.dataset.verifyUrl + '/' + m[1]; break; }
      }
      await new Promise(function (r) { setTimeout(r, 250); });
    }
  });
})();
