/* Small progressive enhancements. Every page works without this file:
 * - a live character counter under textareas that have one,
 * - the model's limits applied to the resolution and duration inputs,
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
    };
    select.addEventListener("change", apply);
    list.classList.add("enhanced");
    apply();
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
