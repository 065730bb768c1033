/* Small progressive enhancements. Every page works without this file:
 * - a live character counter under textareas that have one,
 * - the model's limits applied to the resolution and duration inputs, and only its own
 *   parameters shown, with its defaults,
 * - forms that submit once (no double jobs from a double click),
 * - dismissible flash messages. */
(function () {
  "use strict";

  function bindCounters(root) {
    root.querySelectorAll("[data-counter-for]").forEach(function (counter) {
      var input = document.getElementById(counter.dataset.counterFor);
      if (!input || input.dataset.counterBound) return;
      input.dataset.counterBound = "1";
      var max = parseInt(input.getAttribute("maxlength") || input.dataset.counterMax || "0", 10);
      var update = function () {
        var length = input.value.length;
        counter.textContent = max ? length + " / " + max : String(length);
        counter.classList.toggle("counter-near", max > 0 && length > max * 0.9);
      };
      input.addEventListener("input", update);
      update();
    });
  }

  function bindModelLimits(root) {
    var select = root.querySelector("select[name=model]");
    var list = root.querySelector(".model-list");
    if (!select || !list || select.dataset.limitsBound) return;
    select.dataset.limitsBound = "1";
    var form = select.form;
    var resolution = form.querySelector("select[name=resolution]");
    var duration = form.querySelector("input[name=duration]");
    var apply = function () {
      var entry = list.querySelector('[data-model-id="' + CSS.escape(select.value) + '"]');
      list.querySelectorAll("li").forEach(function (li) {
        li.classList.toggle("selected", li === entry);
      });
      if (!entry) return;
      var allowed = entry.dataset.resolutions.split(",");
      if (resolution) {
        Array.prototype.forEach.call(resolution.options, function (option) {
          option.disabled = allowed.indexOf(option.value) === -1;
        });
        if (resolution.selectedOptions[0] && resolution.selectedOptions[0].disabled) {
          resolution.value = allowed[allowed.length - 1];
        }
      }
      if (duration) {
        var maxDuration = parseInt(entry.dataset.maxDuration, 10);
        duration.max = String(maxDuration);
        if (parseInt(duration.value, 10) > maxDuration) duration.value = String(maxDuration);
      }
      applyModelParams(form, entry);
    };
    select.addEventListener("change", apply);
    list.classList.add("enhanced");
    apply();
  }

  /* Only the chosen model's own parameters are shown (and sent), filled with its
   * defaults until the user edits them; the start image only for models that take one. */
  function applyModelParams(form, entry) {
    var params = JSON.parse(entry.dataset.params || "{}");
    form.querySelectorAll("[data-param]").forEach(function (box) {
      var accepted = Object.prototype.hasOwnProperty.call(params, box.dataset.param);
      box.hidden = !accepted;
      box.querySelectorAll("input, textarea, select").forEach(function (input) {
        input.disabled = !accepted;
        if (input.type === "file" || input.type === "hidden") return;
        if (!input.dataset.paramBound) {
          input.dataset.paramBound = "1";
          if (input.value !== "") input.dataset.edited = "1";
          input.addEventListener("input", function () { input.dataset.edited = "1"; });
        }
        if (accepted && !input.dataset.edited) {
          var value = params[box.dataset.param];
          input.value = value === null || value === undefined ? "" : String(value);
        }
      });
    });
    var drop = form.querySelector("[data-image-drop]");
    if (drop) drop.classList.toggle("image-required", entry.dataset.imageInput === "required");
  }

  function bindSubmitOnce(root) {
    root.querySelectorAll("form[data-submit-once]").forEach(function (form) {
      if (form.dataset.submitOnceBound) return;
      form.dataset.submitOnceBound = "1";
      form.addEventListener("submit", function (event) {
        if (form.dataset.submitting) {
          event.preventDefault();
          return;
        }
        form.dataset.submitting = "1";
        var button = form.querySelector("button[type=submit]");
        if (button) button.setAttribute("aria-busy", "true");
      });
    });
  }

  function bindFlashes(root) {
    root.querySelectorAll(".flash [data-dismiss]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        button.closest(".flash").remove();
      });
    });
  }

  function enhance(root) {
    bindCounters(root);
    bindModelLimits(root);
    bindSubmitOnce(root);
    bindFlashes(root);
  }

  if (window.htmx) {
    window.htmx.onLoad(enhance);
  } else {
    document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  }
  // Back/forward cache: a page restored after a submit must be usable again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-submitting]").forEach(function (form) {
      delete form.dataset.submitting;
      var button = form.querySelector("button[aria-busy]");
      if (button) button.removeAttribute("aria-busy");
    });
  });
})();
