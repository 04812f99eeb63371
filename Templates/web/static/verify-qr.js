// The QR code's address carries the signed payload in its fragment (#CP1:…), which a
// browser never sends to the server: read it here and post the whole address to be checked.
(function () {
  var hash = window.location.hash;
  if (hash && hash.toUpperCase().indexOf("#CP1:") === 0) {
    var form = document.getElementById("qr-form");
    document.getElementById("code").value = window.location.href;
    document.getElementById("reading").hidden = false;
    form.submit();
  }
})();
