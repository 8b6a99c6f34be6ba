/* The API reference: Swagger UI from the installed package, reading this server's OpenAPI
 * document (its address in <main data-openapi>). A file, not an inline script: the
 * Content-Security-Policy allows no inline script. */
(function () {
  "use strict";
  var box = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: box.getAttribute("data-openapi"),
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    validatorUrl: null,  // no badge from another site
    showExtensions: true,
    showCommonExtensions: true,
    presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
})();
