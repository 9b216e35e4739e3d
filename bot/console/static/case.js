// Case page: show the newest messages of the conversation, and copy a canned reply chosen
// in the list into the message box to edit.
(function () {
  "use strict";
  var transcript = document.getElementById("transcript");
  if (transcript) { transcript.scrollTop = transcript.scrollHeight; }
  var select = document.getElementById("canned");
  var box = document.getElementById("reply");
  if (!select || !box) { return; }
  select.addEventListener("change", function () {
    var option = select.options[select.selectedIndex];
    var text = option && option.getAttribute("data-text");
    if (text) { box.value = text; box.focus(); }
  });
})();
