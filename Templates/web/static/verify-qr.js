// The QR code's address carries the signed payload in its fragment (#CP1:…), which a
// browser never sends to the server: read it here and post it to be checked. The address
// itself is this page's, so only the payload is sent.
(function () {
  var hash = window.location.hash;
  if (hash && hash.toUpperCase().indexOf("#CP1:") === 0) {
    var form = document.getElementById("qr-form");
    document.getElementById("code").value = hash.substring(1);
    document.getElementById("reading").hidden = false;
    form.submit();
  }
})();
