// Staff pages: small progressive enhancements. Every form also works without this file.
(function () {
  "use strict";

  // Bring the first refused field into view and put the cursor in it (after a full page load
  // or after htmx swapped in a panel that carries errors); otherwise show the success notice.
  function showOutcome(root) {
    var bad = root.querySelector(".field.has-error, .form-error, .error-summary");
    if (bad) {
      var field = root.querySelector(".field.has-error") || bad;
      field.scrollIntoView({ block: "center" });
      var input = field.querySelector("input:not([type=hidden]), select, textarea");
      if (input) input.focus({ preventScroll: true });
      return;
    }
    var notice = root.querySelector(".notice");
    if (notice) notice.scrollIntoView({ block: "center" });
  }

  // 当事人类型: in each party block, show the identity field that applies (ID number for
  // citizens, USCC otherwise). A case may list several parties (共同违法), one block each.
  function syncPartyKind(select) {
    var block = select.closest("[data-party-block]") || document;
    var citizen = select.value === "citizen";
    block.querySelectorAll("[data-party]").forEach(function (el) {
      el.hidden = (el.dataset.party === "citizen") !== citizen;
    });
  }

  function syncAllPartyKinds() {
    document.querySelectorAll("[data-party-kind]").forEach(syncPartyKind);
  }

  document.addEventListener("DOMContentLoaded", function () {
    syncAllPartyKinds();
    document.addEventListener("change", function (ev) {
      if (ev.target.matches("[data-party-kind]")) syncPartyKind(ev.target);
    });
    if (document.querySelector(".field.has-error, .form-error")) showOutcome(document);
  });

  document.addEventListener("htmx:afterSwap", function (ev) {
    if (ev.detail.target && ev.detail.target.id === "case-panel") {
      // The flash messages of the last full page load are out of date now.
      document.querySelectorAll("main > .messages").forEach(function (el) { el.remove(); });
      var panel = document.getElementById("case-panel");
      if (panel) showOutcome(panel);
    }
  });

  // A post answered by the login page (the session expired): go there instead of swapping it in.
  document.addEventListener("htmx:beforeSwap", function (ev) {
    var url = ev.detail.xhr && ev.detail.xhr.responseURL;
    if (url && url.indexOf("/accounts/login/") !== -1) {
      ev.detail.shouldSwap = false;
      window.location.assign(url);
    }
  });

  // Upload progress for large files (body-camera video): htmx reports the XHR's progress.
  document.addEventListener("htmx:xhr:progress", function (ev) {
    if (!ev.target || ev.target.id !== "upload-form") return;
    var bar = document.getElementById("upload-progress");
    if (bar && ev.detail.lengthComputable) {
      bar.hidden = false;
      bar.value = Math.round(ev.detail.loaded * 100 / ev.detail.total);
    }
  });
})();
