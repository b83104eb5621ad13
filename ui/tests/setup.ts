// Test setup: jsdom lacks a few layout APIs the views call opportunistically.
if (!Element.prototype.scrollIntoView) {
  Element.prototype.scrollIntoView = function scrollIntoView() {};
}
