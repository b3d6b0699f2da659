"""RFC 6962 / RFC 9162 Merkle tree over SHA-256: hashing, storage model, proofs, verifiers.

Pure Python, no Django: the database side lives in `ledger.store`, which implements `NodeStore`.

Storage model. The tree is never stored as the RFC's irregular shape; instead we keep every
*perfect subtree* that is complete: node (level k, index i) is the hash of the 2^k leaves
[i * 2^k, (i + 1) * 2^k). Level 0 holds the leaf hashes. A perfect node, once complete, never
changes as the log grows, so rows are insert-only. Every RFC 6962 subtree that appears in a
root, an audit path or a consistency proof starts at a multiple of a power of two at least as
large as itself, so it decomposes into at most log2(n) stored perfect nodes (one per set bit
of its size), folded right to left. That gives O(log n) reads per root or proof, and all
reads for one operation are requested together through `NodeStore.get_many`.

Proof generation follows RFC 6962 section 2.1 (PATH, PROOF, SUBPROOF); verification follows
RFC 9162 sections 2.1.3.2 and 2.1.4.2, plus the strict input checks a tamper-evident log
needs (exact proof length, 32-byte hashes, no consistency from the empty tree).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "MemoryNodeStore",
    "NodeKey",
    "NodeStore",
    "ProofError",
    "RootAccumulator",
    "append_batch",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "nodes_to_add",
    "root",
    "subtree_hash",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
_sha256 = hashlib.sha256
# Domain-separation prefixes (RFC 6962 section 2.1): a leaf can never be confused with a node.
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"

EMPTY_ROOT: bytes = _sha256(b"").digest()
"""MTH({}) = SHA-256() — the root of the empty tree."""

NodeKey = tuple[int, int]
"""(level, index) of a perfect subtree: the hash of leaves [index * 2**level, (index + 1) * 2**level)."""

NewNode = tuple[int, int, bytes]
"""(level, index, hash) of a perfect subtree that became complete."""


class ProofError(ValueError):
    """A proof, a hash or a tree size failed verification; the message says why (in English)."""


# --------------------------------------------------------------------------------------------
# Hashing
# --------------------------------------------------------------------------------------------


def leaf_hash(data: bytes) -> bytes:
    """MTH({d}) = SHA-256(0x00 || d): the hash of one log entry."""
    return _sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right): the hash of an interior node."""
    return _sha256(_NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than n (n >= 2): RFC 6962's k."""
    return 1 << ((n - 1).bit_length() - 1)


# --------------------------------------------------------------------------------------------
# Storage
# --------------------------------------------------------------------------------------------


class NodeStore(Protocol):
    """Read access to stored perfect-subtree hashes.

    Implementations raise `LookupError` (e.g. `KeyError`) for a node that is not stored: a
    missing node is a broken log, never something to paper over with a recomputation.
    """

    def get(self, level: int, index: int) -> bytes:
        """The hash of perfect node (level, index)."""
        ...

    def get_many(self, keys: list[NodeKey]) -> dict[NodeKey, bytes]:
        """The hashes of several nodes at once (the database implementation does one query)."""
        ...


class MemoryNodeStore:
    """A dict-backed `NodeStore`, for tests and for recomputing a tree in memory."""

    def __init__(self, nodes: dict[NodeKey, bytes] | None = None) -> None:
        self.nodes: dict[NodeKey, bytes] = dict(nodes or {})

    def get(self, level: int, index: int) -> bytes:
        """The hash of node (level, index); `KeyError` when it is not stored."""
        return self.nodes[(level, index)]

    def get_many(self, keys: list[NodeKey]) -> dict[NodeKey, bytes]:
        """The hashes of `keys`; `KeyError` naming the first few missing ones."""
        nodes = self.nodes
        missing = [key for key in keys if key not in nodes]
        if missing:
            raise KeyError(f"tree nodes missing: {missing[:5]}")
        return {key: nodes[key] for key in keys}

    def put_many(self, new_nodes: Iterable[NewNode]) -> None:
        """Store (level, index, hash) triples, as returned by `nodes_to_add` / `append_batch`."""
        nodes = self.nodes
        for level, index, value in new_nodes:
            nodes[(level, index)] = value


# --------------------------------------------------------------------------------------------
# Appending
# --------------------------------------------------------------------------------------------


def _check_size(name: str, value: int) -> None:
    # bool is an int subclass; True as a tree size is always a bug in the caller.
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")


def append_batch(size_before: int, leaf_hashes: Sequence[bytes], store: NodeStore) -> list[NewNode]:
    """All perfect nodes completed by appending `leaf_hashes` to a tree of `size_before` leaves.

    Returns (level, index, hash) for every new node, level 0 (the leaves themselves) included,
    in append order: each leaf followed by the parents it completes, lowest level first.

    The only existing nodes that can be combined with the new leaves are the tree's right
    "frontier": one perfect node per set bit of `size_before`. Of those, only the ones whose
    parent the batch completes are read — at most log2(size_before) nodes, in one `get_many`.
    Everything else is computed from the batch itself, like a binary counter with carries.
    """
    _check_size("size_before", size_before)
    count = len(leaf_hashes)
    if count == 0:
        return []
    for value in leaf_hashes:
        if len(value) != HASH_SIZE:
            raise ValueError(f"leaf hashes must be {HASH_SIZE} bytes, got {len(value)}")
    size_after = size_before + count
    # Frontier node at level k exists iff bit k of size_before is set; it is needed iff the
    # batch reaches the end of its parent, i.e. the parent becomes complete.
    needed: list[NodeKey] = []
    remaining = size_before
    while remaining:
        level = (remaining & -remaining).bit_length() - 1
        parent_end = ((size_before >> (level + 1)) + 1) << (level + 1)
        if size_after >= parent_end:
            needed.append((level, (size_before >> level) - 1))
        remaining &= remaining - 1
    found = store.get_many(needed) if needed else {}
    # frontier[k] holds the pending left sibling at level k, or None; it mirrors the bits of
    # the running size, so appending is exactly a binary increment.
    frontier: list[bytes | None] = [None] * (size_after.bit_length() + 1)
    for (level, _), value in found.items():
        frontier[level] = value

    new_nodes: list[NewNode] = []
    add = new_nodes.append
    sha256 = _sha256
    for offset, value in enumerate(leaf_hashes):
        position = size_before + offset
        add((0, position, value))
        level = 0
        carry = position
        while carry & 1:
            left = frontier[level]
            if left is None:  # Only possible if the store handed back a wrong key set.
                raise LookupError(f"tree node ({level}, {(carry - 1)}) missing from the frontier")
            frontier[level] = None
            value = sha256(_NODE_PREFIX + left + value).digest()
            level += 1
            carry >>= 1
            add((level, carry, value))
        frontier[level] = value
    return new_nodes


def nodes_to_add(size_before: int, new_leaf_hash: bytes, store: NodeStore) -> list[NewNode]:
    """The perfect nodes completed when leaf number `size_before` is appended.

    The first item is the leaf itself (level 0); then one node per trailing one bit of
    `size_before` (a binary-counter carry), so the cost is amortised O(1) and at most
    O(log n) sibling reads, fetched in one `get_many`.
    """
    return append_batch(size_before, [new_leaf_hash], store)


# --------------------------------------------------------------------------------------------
# Reading: subtree hashes, roots, proofs
# --------------------------------------------------------------------------------------------

# A read plan is either a NodeKey (a stored perfect node) or a list [left_plan, right_plan]
# to be combined with node_hash. Building the plans first lets one operation issue a single
# batched read for every node it needs.
_Plan = NodeKey | list


def _plan(start: int, end: int, keys: list[NodeKey]) -> _Plan:
    """How to compute MTH(D[start:end]) (end > start) from stored nodes; appends the reads to `keys`."""
    n = end - start
    if n & (n - 1) == 0 and start % n == 0:
        key = (n.bit_length() - 1, start // n)
        keys.append(key)
        return key
    # RFC 6962 split: left is the largest power of two smaller than n. For the subtrees that
    # occur in roots and proofs the left part is always an aligned perfect node, so this
    # recursion is a right-leaning chain of length popcount(n). An unaligned range (only if a
    # caller asks for one directly) still gets the correct RFC hash, just with more reads.
    k = _split(n)
    return [_plan(start, start + k, keys), _plan(start + k, end, keys)]


def _evaluate(plan: _Plan, found: dict[NodeKey, bytes]) -> bytes:
    if isinstance(plan, tuple):
        return found[plan]
    return node_hash(_evaluate(plan[0], found), _evaluate(plan[1], found))


def _subtree_hashes(store: NodeStore, ranges: list[tuple[int, int]]) -> list[bytes]:
    """MTH of each non-empty range, with one batched read for all of them."""
    keys: list[NodeKey] = []
    plans = [_plan(start, end, keys) for start, end in ranges]
    found = store.get_many(list(dict.fromkeys(keys))) if keys else {}
    return [_evaluate(plan, found) for plan in plans]


def subtree_hash(store: NodeStore, start: int, end: int) -> bytes:
    """MTH(D[start:end]) by the RFC 6962 split rule, read from stored perfect nodes.

    An empty range is the empty tree's hash. O(log n) reads when `start` is a multiple of the
    smallest power of two >= end - start (true of every subtree in a root or proof); any other
    range is still hashed correctly but may need up to end - start reads.
    """
    _check_size("start", start)
    _check_size("end", end)
    if end < start:
        raise ValueError(f"subtree end {end} is before its start {start}")
    if end == start:
        return EMPTY_ROOT
    return _subtree_hashes(store, [(start, end)])[0]


def root(store: NodeStore, size: int) -> bytes:
    """The Merkle tree hash of the first `size` leaves."""
    return subtree_hash(store, 0, size)


def _inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """Leaf ranges whose MTHs form PATH(index, D[0:size]), in proof order (leaf end first)."""
    ranges: list[tuple[int, int]] = []
    low, high = 0, size
    while high - low > 1:
        k = _split(high - low)
        if index < low + k:
            # PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])
            ranges.append((low + k, high))
            high = low + k
        else:
            # PATH(m, D[n]) = PATH(m - k, D[k:n]) : MTH(D[0:k])
            ranges.append((low, low + k))
            low += k
    # The recursion emits the outermost sibling last; we walked from the outside in.
    ranges.reverse()
    return ranges


def inclusion_proof(store: NodeStore, index: int, size: int) -> list[bytes]:
    """The audit path PATH(index, D[0:size]) of RFC 6962 section 2.1.1."""
    _check_size("index", index)
    _check_size("size", size)
    if index >= size:
        raise ValueError(f"leaf index {index} is not below tree size {size}")
    return _subtree_hashes(store, _inclusion_ranges(index, size))


def _consistency_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """Leaf ranges whose MTHs form PROOF(first, D[0:second]), in proof order."""
    ranges: list[tuple[int, int]] = []
    low, high = 0, second
    old = first  # leaves of the old tree inside [low, high)
    complete = True  # SUBPROOF's flag b: is [low, high) still a prefix of the whole tree?
    while old < high - low:
        k = _split(high - low)
        if old <= k:
            # SUBPROOF(m, D[n], b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
            ranges.append((low + k, high))
            high = low + k
        else:
            # SUBPROOF(m, D[n], b) = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
            ranges.append((low, low + k))
            low += k
            old -= k
            complete = False
    if not complete:
        # SUBPROOF(m, D[m], false) = {MTH(D[m])}; with b = true the old root is known already.
        ranges.append((low, high))
    ranges.reverse()
    return ranges


def consistency_proof(store: NodeStore, first: int, second: int) -> list[bytes]:
    """PROOF(first, D[0:second]) of RFC 6962 section 2.1.2; empty when first == second.

    A proof from the empty tree (first == 0) is refused: it would prove nothing, and the
    verifiers here reject it too.
    """
    _check_size("first", first)
    _check_size("second", second)
    if first == 0:
        raise ValueError("a consistency proof from the empty tree proves nothing")
    if first > second:
        raise ValueError(f"first size {first} is larger than second size {second}")
    return _subtree_hashes(store, _consistency_ranges(first, second))


# --------------------------------------------------------------------------------------------
# Verification (no store needed)
# --------------------------------------------------------------------------------------------


def _check_hash(name: str, value: object) -> bytes:
    if not isinstance(value, bytes | bytearray) or len(value) != HASH_SIZE:
        length = len(value) if isinstance(value, bytes | bytearray) else type(value).__name__
        raise ProofError(f"{name} must be a {HASH_SIZE}-byte hash, got {length}")
    return bytes(value)


def _check_proof(proof: Sequence[bytes] | None) -> list[bytes]:
    if proof is None:
        return []
    if isinstance(proof, bytes | bytearray | str):
        raise ProofError("proof must be a list of hashes, not a single string")
    return [_check_hash(f"proof hash {i}", value) for i, value in enumerate(proof)]


def _check_verify_size(name: str, value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ProofError(f"{name} must be a non-negative integer, got {value!r}")


def _inclusion_length(index: int, size: int) -> int:
    """Hashes in PATH(index, D[0:size]): levels below the split from the last leaf, plus border."""
    inner = (index ^ (size - 1)).bit_length()
    return inner + (index >> inner).bit_count()


def verify_inclusion(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Check that `leaf_hash` is leaf `index` of the tree of `size` leaves with root `root`.

    RFC 9162 section 2.1.3.2, after checking the proof has exactly the expected number of
    32-byte hashes. Raises `ProofError` with the reason; returns None when the proof holds.
    """
    _check_verify_size("leaf index", index)
    _check_verify_size("tree size", size)
    leaf = _check_hash("leaf hash", leaf_hash)
    expected_root = _check_hash("root", root)
    path = _check_proof(proof)
    if index >= size:
        raise ProofError(f"leaf index {index} is not below tree size {size}")
    want = _inclusion_length(index, size)
    if len(path) != want:
        raise ProofError(f"inclusion proof has {len(path)} hashes, expected {want}")

    sha256 = _sha256
    fn, sn = index, size - 1
    r = leaf
    for p in path:
        if sn == 0:
            raise ProofError("inclusion proof is longer than the path to the root")
        if fn & 1 or fn == sn:
            r = sha256(_NODE_PREFIX + p + r).digest()
            if not fn & 1:
                # A right-edge node with no right sibling: climb until it is a right child.
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = sha256(_NODE_PREFIX + r + p).digest()
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("inclusion proof is shorter than the path to the root")
    if r != expected_root:
        raise ProofError("inclusion proof does not lead to the given root")


def _consistency_length(first: int, second: int) -> int:
    """Hashes in PROOF(first, D[0:second]) for 0 < first < second."""
    # The old tree's right edge sits on a perfect node of 2**shift leaves; the proof is that
    # node's audit path in the new tree, plus the node itself unless it is the whole old tree.
    shift = (first & -first).bit_length() - 1
    length = _inclusion_length(first - 1, second) - shift
    return length if first == 1 << shift else length + 1


def verify_consistency(first: int, second: int, root1: bytes, root2: bytes, proof: Sequence[bytes]) -> None:
    """Check that the tree of `first` leaves with `root1` is a prefix of the one of `second`.

    RFC 9162 section 2.1.4.2, with stricter inputs than the RFC: both roots and every proof
    hash must be 32 bytes, the proof must have exactly the expected length, and a proof from
    size 0 is refused (anything is "consistent" with the empty tree, so accepting it would let
    a caller believe something was checked). Equal sizes need an empty proof and equal roots.
    """
    _check_verify_size("first size", first)
    _check_verify_size("second size", second)
    old_root = _check_hash("first root", root1)
    new_root = _check_hash("second root", root2)
    path = _check_proof(proof)
    if first == 0:
        raise ProofError("a consistency proof from the empty tree proves nothing")
    if second < first:
        raise ProofError(f"second size {second} is smaller than first size {first}")
    if first == second:
        if path:
            raise ProofError("sizes are equal, so the proof must be empty")
        if old_root != new_root:
            raise ProofError("sizes are equal but the roots differ")
        return
    want = _consistency_length(first, second)
    if len(path) != want:
        raise ProofError(f"consistency proof has {len(path)} hashes, expected {want}")

    sha256 = _sha256
    # Step 2: when the old tree is a perfect subtree its root is the starting node itself.
    if first & (first - 1) == 0:
        path = [old_root, *path]
    fn, sn = first - 1, second - 1
    # Step 4: skip the levels where the old tree's last node is a right child (already in it).
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is longer than the path to the root")
        if fn & 1 or fn == sn:
            fr = sha256(_NODE_PREFIX + c + fr).digest()
            sr = sha256(_NODE_PREFIX + c + sr).digest()
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = sha256(_NODE_PREFIX + sr + c).digest()
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("consistency proof is shorter than the path to the root")
    if fr != old_root:
        raise ProofError("consistency proof does not lead to the first root")
    if sr != new_root:
        raise ProofError("consistency proof does not lead to the second root")


# --------------------------------------------------------------------------------------------
# Streaming
# --------------------------------------------------------------------------------------------


class RootAccumulator:
    """Compute the root of a log while streaming its leaves, in O(log n) memory.

    Keeps the stack of perfect subtrees of the leaves seen so far (one per set bit of `size`,
    largest first); `push` is a binary increment, `root()` folds the stack right to left.
    With `on_node`, every newly completed node above level 0 is reported as
    `on_node(level, index, hash)` so a verifier can compare it with the stored node as it goes.

    Speed matters: `verify_ledger` streams every entry through this. The loops bind locals,
    hash with copies of a pre-fed SHA-256 state (cheaper than building prefix + data), and
    allocate nothing per leaf besides the digests.
    """

    __slots__ = ("_on_node", "_stack", "size")

    _leaf_state = _sha256(_LEAF_PREFIX)
    _node_state = _sha256(_NODE_PREFIX)

    def __init__(self, on_node: Callable[[int, int, bytes], object] | None = None) -> None:
        self._on_node = on_node
        self._stack: list[bytes] = []
        self.size = 0

    def push(self, leaf_hash: bytes) -> None:
        """Append one leaf hash (32 bytes)."""
        if len(leaf_hash) != HASH_SIZE:
            raise ValueError(f"leaf hashes must be {HASH_SIZE} bytes, got {len(leaf_hash)}")
        if self._on_node is not None:
            self._run_reporting((leaf_hash,))
            return
        stack = self._stack
        h = leaf_hash
        carry = self.size
        while carry & 1:
            h = _sha256(_NODE_PREFIX + stack.pop() + h).digest()
            carry >>= 1
        stack.append(h)
        self.size += 1

    def push_entry(self, data: bytes) -> bytes:
        """Append the leaf for entry bytes `data`; returns its leaf hash."""
        value = leaf_hash(data)
        self.push(value)
        return value

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Append many leaf hashes (the fast path: lengths are not re-checked per leaf)."""
        if self._on_node is not None:
            self._run_reporting(leaf_hashes)
            return
        stack = self._stack
        push = stack.append
        pop = stack.pop
        node_copy = self._node_state.copy
        n = self.size
        try:
            for h in leaf_hashes:
                carry = n
                while carry & 1:
                    state = node_copy()
                    state.update(pop())
                    state.update(h)
                    h = state.digest()
                    carry >>= 1
                push(h)
                n += 1
        finally:
            # Keep size consistent with the stack even if the iterable raised.
            self.size = n

    def extend_entries(self, entries: Iterable[bytes]) -> None:
        """Append the leaves for many entries, hashing each as SHA-256(0x00 || entry).

        The hot loop of a full verification: it is `extend` with the leaf hash inlined.
        """
        if self._on_node is not None:
            self._run_reporting(leaf_hash(e) for e in entries)
            return
        stack = self._stack
        push = stack.append
        pop = stack.pop
        leaf_copy = self._leaf_state.copy
        node_copy = self._node_state.copy
        n = self.size
        try:
            for entry in entries:
                state = leaf_copy()
                state.update(entry)
                h = state.digest()
                carry = n
                while carry & 1:
                    state = node_copy()
                    state.update(pop())
                    state.update(h)
                    h = state.digest()
                    carry >>= 1
                push(h)
                n += 1
        finally:
            self.size = n

    def _run_reporting(self, leaf_hashes: Iterable[bytes]) -> None:
        """`extend`, calling `on_node` for every completed node above level 0."""
        on_node = self._on_node
        assert on_node is not None
        stack = self._stack
        push = stack.append
        pop = stack.pop
        node_copy = self._node_state.copy
        completed: list[NewNode] = []
        n = self.size
        try:
            for h in leaf_hashes:
                carry = n
                level = 0
                while carry & 1:
                    state = node_copy()
                    state.update(pop())
                    state.update(h)
                    h = state.digest()
                    carry >>= 1
                    level += 1
                    completed.append((level, carry, h))
                push(h)
                n += 1
                # Report only once the stack is whole again, so a callback that raises (a
                # verifier stopping at the first mismatch) leaves a usable accumulator.
                if completed:
                    self.size = n
                    for node in completed:
                        on_node(*node)
                    completed.clear()
        finally:
            self.size = n

    def root(self) -> bytes:
        """The root of the leaves pushed so far (EMPTY_ROOT before the first)."""
        stack = self._stack
        if not stack:
            return EMPTY_ROOT
        value = stack[-1]
        for left in reversed(stack[:-1]):
            value = node_hash(left, value)
        return value

    def frontier(self) -> list[NodeKey]:
        """Keys of the perfect subtrees on the stack, largest first (one per set bit of size)."""
        keys: list[NodeKey] = []
        start = 0
        for level in range(self.size.bit_length() - 1, -1, -1):
            if self.size >> level & 1:
                keys.append((level, start >> level))
                start += 1 << level
        return keys
