// Case page: a canned reply chosen in the list is copied into the message box to edit.
(function () {
  "use strict";
  var select = document.getElementById("canned");
  var box = document.getElementById("reply");
  if (!select || !box) { return; }
  select.addEventListener("change", function () {
    var option = select.options[select.selectedIndex];
    var text = option && option.getAttribute("data-text");
    if (text) { box.value = text; box.focus(); }
  });
})();
