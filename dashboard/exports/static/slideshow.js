// The slideshow's keys: what a keyboard and a presentation clicker send. Clickers send
// PageDown/PageUp (some Right/Left, some Space): all of them move one slide.
(function () {
  "use strict";
  var slides = Array.prototype.slice.call(document.querySelectorAll("section.slide"));
  var deck = document.getElementById("deck");
  var params = new URLSearchParams(window.location.search);
  var current = 0;

  function show(index) {
    current = Math.max(0, Math.min(slides.length - 1, index));
    slides.forEach(function (slide, n) {
      slide.hidden = n !== current;
    });
    document.title = slides[current].getAttribute("data-title");
    // The link keeps the slide: reopening it (or reloading) shows this slide again.
    params.set("slide", String(current + 1));
    if (window.location.protocol !== "file:") {
      history.replaceState(null, "", "?" + params.toString());
    }
  }

  function fullScreen() {
    if (document.fullscreenElement) {
      document.exitFullscreen();
    } else if (deck.requestFullscreen) {
      deck.requestFullscreen().catch(function () {});
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var key = event.key;
    if (key === "ArrowRight" || key === "PageDown" || key === "ArrowDown" ||
        (key === " " && !event.shiftKey)) {
      show(current + 1);
    } else if (key === "ArrowLeft" || key === "PageUp" || key === "ArrowUp" ||
               (key === " " && event.shiftKey)) {
      show(current - 1);
    } else if (key === "Home") {
      show(0);
    } else if (key === "End") {
      show(slides.length - 1);
    } else if (key === "f" || key === "F") {
      fullScreen();
    } else {
      return;
    }
    event.preventDefault();
  });
  document.getElementById("previous").addEventListener("click", function () { show(current - 1); });
  document.getElementById("next").addEventListener("click", function () { show(current + 1); });
  document.getElementById("full").addEventListener("click", fullScreen);

  var asked = parseInt(params.get("slide") || "1", 10);
  show(isNaN(asked) ? 0 : asked - 1);
})();
