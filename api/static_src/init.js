// Runs first in <body>, before anything paints: tells GOV.UK Frontend's CSS that JavaScript is
// on and whether the browser supports its components (the template's inline script, which the
// Content-Security-Policy would block).
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
