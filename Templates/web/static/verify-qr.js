// The QR code's address carries the signed payload in its fragment (#CP2:…, or #CP1:… on
// certificates issued before), which a browser never sends to the server: read it here and
// post it to be checked. The address itself is this page's, so only the payload is sent.
(function () {
  var hash = window.location.hash;
  var kind = hash ? hash.substring(0, 5).toUpperCase() : "";
  if (kind === "#CP1:" || kind === "#CP2:") {
    var form = document.getElementById("qr-form");
    document.getElementById("code").value = hash.substring(1);
    document.getElementById("reading").hidden = false;
    form.submit();
  }
})();
