/* The create page's start-image drop zone. Without this file the form posts the file
 * itself (multipart); with it, a dropped or chosen image is uploaded at once to
 * POST /api/v1/uploads, previewed, and the form sends only its id (image_id). */
(function () {
  "use strict";

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function bind(zone) {
    if (zone.dataset.dropBound) return;
    zone.dataset.dropBound = "1";
    var input = zone.querySelector("input[type=file]");
    var hidden = zone.querySelector("input[name=image_id]");
    var preview = zone.querySelector("[data-image-preview]");
    var hint = zone.querySelector("[data-drop-hint]");
    var error = zone.querySelector("[data-drop-error]");
    var clear = zone.querySelector("[data-drop-clear]");
    var target = zone.querySelector("[data-drop-target]");

    function show(url, text) {
      preview.src = url;
      preview.hidden = !url;
      clear.hidden = !url;
      hint.textContent = text;
    }

    function fail(message) {
      error.textContent = message;
      error.hidden = false;
      hidden.value = "";
      show("", "Drop an image here, or choose one");
      zone.classList.remove("is-uploading");
    }

    function upload(file) {
      error.hidden = true;
      zone.classList.add("is-uploading");
      show(URL.createObjectURL(file), "Uploading " + file.name + "…");
      var body = new FormData();
      body.append("file", file);
      fetch(zone.dataset.uploadUrl, {
        method: "POST", body: body, credentials: "same-origin",
        headers: {"X-CSRFToken": csrfToken(), "Accept": "application/json"}
      }).then(function (response) {
        return response.json().then(function (data) { return {ok: response.ok, data: data}; });
      }).then(function (answer) {
        if (!answer.ok) return fail(answer.data.error || "The image could not be uploaded.");
        hidden.value = answer.data.id;
        input.value = "";  // sent already: the form carries only its id
        zone.classList.remove("is-uploading");
        zone.dataset.uploaded = answer.data.id;
        show(answer.data.contentUrl, file.name + " · " + answer.data.width + "×" + answer.data.height);
      }).catch(function () { fail("The image could not be uploaded; try again."); });
    }

    input.addEventListener("change", function () {
      if (input.files && input.files[0]) upload(input.files[0]);
    });
    ["dragenter", "dragover"].forEach(function (name) {
      target.addEventListener(name, function (event) {
        event.preventDefault();
        target.classList.add("is-over");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      target.addEventListener(name, function () { target.classList.remove("is-over"); });
    });
    target.addEventListener("drop", function (event) {
      event.preventDefault();
      var file = event.dataTransfer && event.dataTransfer.files[0];
      if (file) upload(file);
    });
    clear.addEventListener("click", function () {
      hidden.value = "";
      input.value = "";
      delete zone.dataset.uploaded;
      show("", "Drop an image here, or choose one");
    });
    zone.classList.add("enhanced");
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-image-drop]").forEach(bind);
  });
})();
