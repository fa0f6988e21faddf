/* Runs first: records script errors (and console.error) into <body data-errors>, for tests. */
(function () {
  var errors = [];
  window.layerlintErrors = errors;
  function record(message) {
    errors.push(String(message));
    if (document.body) { document.body.dataset.errors = errors.join("\n"); }
  }
  window.addEventListener("error", function (event) {
    record((event.message || "error") + (event.filename ? " at " + event.filename + ":" + event.lineno : ""));
  });
  window.addEventListener("unhandledrejection", function (event) { record("unhandled rejection: " + event.reason); });
  var consoleError = console.error;
  console.error = function () {
    record(Array.prototype.join.call(arguments, " "));
    return consoleError.apply(console, arguments);
  };
  window.layerlintRecordError = record;
})();
