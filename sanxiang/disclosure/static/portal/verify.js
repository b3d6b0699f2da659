// Verifies, in the reader's browser, that this publication's ledger entry is included in the
// signed tree: leaf = SHA-256(0x00 || entry), root from the RFC 6962 audit path, compared with
// the checkpoint's root. The note's Ed25519 signature can be checked offline with the public key.
(function () {
  "use strict";
  function hex(buf) { return Array.from(new Uint8Array(buf)).map(function (b) { return b.toString(16).padStart(2, "0"); }).join(""); }
  function unhex(s) { var out = new Uint8Array(s.length / 2); for (var i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16); return out; }
  function concat(a, b, c) { var out = new Uint8Array(a.length + b.length + (c ? c.length : 0)); out.set(a, 0); out.set(b, a.length); if (c) out.set(c, a.length + b.length); return out; }
  async function sha(bytes) { return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)); }
  async function rootFromPath(index, size, leaf, path) {
    // RFC 9162 section 2.1.3.2
    var fn = index, sn = size - 1, r = leaf;
    for (var i = 0; i < path.length; i++) {
      var p = unhex(path[i]);
      if (sn === 0) throw new Error("proof too long");
      if ((fn & 1) === 1 || fn === sn) {
        r = await sha(concat(new Uint8Array([1]), p, r));
        if ((fn & 1) === 0) { while ((fn & 1) === 0 && fn !== 0) { fn >>= 1; sn >>= 1; } }
      } else {
        r = await sha(concat(new Uint8Array([1]), r, p));
      }
      fn >>= 1; sn >>= 1;
    }
    if (sn !== 0) throw new Error("proof too short");
    return r;
  }
  async function verify(index) {
    var cp = await (await fetch("/transparency/v1/checkpoint")).json();
    var entryB64 = await (await fetch("/transparency/v1/entries/" + index)).text();
    var entry = Uint8Array.from(atob(entryB64.trim()), function (c) { return c.charCodeAt(0); });
    var leaf = await sha(concat(new Uint8Array([0]), entry));
    var proof = await (await fetch("/transparency/v1/proof/inclusion?index=" + index + "&tree_size=" + cp.tree_size)).json();
    if (hex(leaf) !== proof.leaf_hash) throw new Error("条目内容与叶哈希不符");
    var root = await rootFromPath(index, cp.tree_size, leaf, proof.audit_path);
    if (hex(root) !== cp.root_hash) throw new Error("根哈希与签名检查点不符");
    return cp;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("verify-button");
    if (!button) return;
    button.addEventListener("click", function () {
      var out = document.getElementById("verify-result");
      out.textContent = "核验中…";
      verify(parseInt(button.dataset.index, 10)).then(function (cp) {
        out.textContent = "核验通过：该条目包含在大小为 " + cp.tree_size + " 的签名日志树中（根哈希 " + cp.root_hash.slice(0, 16) + "…）";
        out.className = "badge ok";
      }).catch(function (e) { out.textContent = "核验失败：" + e.message; out.className = "badge overdue"; });
    });
  });
})();
