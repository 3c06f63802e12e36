// Starts the Swagger UI viewer on the API's own OpenAPI document (the URL is in data-spec).
window.addEventListener("load", function () {
  var spec = document.currentScript ? document.currentScript.dataset.spec : null;
  spec = spec || document.querySelector("script[data-spec]").dataset.spec;
  window.ui = SwaggerUIBundle({
    url: spec,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout",
  });
});
