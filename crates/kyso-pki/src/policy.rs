//! Certificate policy processing of path validation (RFC 5280 §6.1.2–§6.1.5):
//! the valid_policy_tree, policy mappings, inhibitPolicyMapping,
//! requireExplicitPolicy and inhibitAnyPolicy.
//!
//! The tree is kept level by level (depth d in `levels[d]`), each node
//! pointing at its parent by index; deleted nodes are marked, not moved,
//! so indices stay stable. The number of nodes is bounded
//! ([`MAX_NODES`]): a path whose policies and mappings would grow the tree
//! beyond it is rejected instead of exhausting memory.

use const_oid::ObjectIdentifier;
use x509_cert::Certificate;
use x509_cert::ext::pkix::{CertificatePolicies, InhibitAnyPolicy, PolicyConstraints, PolicyMappings};

/// anyPolicy (RFC 5280 §4.2.1.4).
pub(crate) const ANY_POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.32.0");

/// Upper bound on the nodes of a valid_policy_tree.
const MAX_NODES: usize = 4096;

struct Node {
    policy: ObjectIdentifier,
    expected: Vec<ObjectIdentifier>,
    parent: usize,
    alive: bool,
}

/// The §6.1.2 state variables that concern policies.
pub(crate) struct PolicyState {
    /// `levels[d]` are the nodes of depth d; empty means the NULL tree.
    levels: Vec<Vec<Node>>,
    explicit_policy: usize,
    policy_mapping: usize,
    inhibit_any_policy: usize,
    nodes: usize,
}

/// Why a path fails policy processing (all reported as a constraint
/// violation).
#[derive(Debug)]
pub(crate) struct PolicyError;

fn ext<T>(cert: &Certificate) -> Result<Option<T>, PolicyError>
where
    T: for<'a> der::Decode<'a> + const_oid::AssociatedOid,
{
    cert.tbs_certificate().get_extension::<T>().map(|o| o.map(|(_, v)| v)).map_err(|_| PolicyError)
}

impl PolicyState {
    /// §6.1.2 (a), (d)–(f): a path of `n` certificates (the anchor not
    /// counted) and the initial inputs of §6.1.1 (c), (e)–(g).
    pub(crate) fn new(n: usize, explicit: bool, inhibit_mapping: bool, inhibit_any: bool) -> Self {
        let root = Node { policy: ANY_POLICY, expected: vec![ANY_POLICY], parent: 0, alive: true };
        Self {
            levels: vec![vec![root]],
            explicit_policy: if explicit { 0 } else { n + 1 },
            policy_mapping: if inhibit_mapping { 0 } else { n + 1 },
            inhibit_any_policy: if inhibit_any { 0 } else { n + 1 },
            nodes: 1,
        }
    }

    fn is_null(&self) -> bool {
        self.levels.is_empty()
    }

    /// Deletes, from the deepest level up, every node without children
    /// (§6.1.3 (d)(3)); the tree becomes NULL when the root goes.
    fn prune(&mut self) {
        for d in (0..self.levels.len().saturating_sub(1)).rev() {
            let (upper, lower) = self.levels.split_at_mut(d + 1);
            let parents = &mut upper[d];
            let mut has_child = vec![false; parents.len()];
            for c in lower[0].iter().filter(|c| c.alive) {
                if let Some(h) = has_child.get_mut(c.parent) {
                    *h = true;
                }
            }
            for (p, h) in parents.iter_mut().zip(has_child) {
                p.alive &= h;
            }
        }
        if !self.levels.first().and_then(|l| l.first()).is_some_and(|r| r.alive) {
            self.levels.clear();
        }
    }

    /// Marks dead every node whose parent is dead.
    fn propagate_deletions(&mut self) {
        for d in 1..self.levels.len() {
            let (upper, lower) = self.levels.split_at_mut(d);
            let parents = &upper[d - 1];
            for c in lower[0].iter_mut() {
                c.alive &= parents.get(c.parent).is_some_and(|p| p.alive);
            }
        }
    }

    fn grow(&mut self, by: usize) -> Result<(), PolicyError> {
        self.nodes = self.nodes.saturating_add(by);
        if self.nodes > MAX_NODES { Err(PolicyError) } else { Ok(()) }
    }

    /// §6.1.3 (d)–(f) for certificate `i` (1-based) of `n`.
    pub(crate) fn process(
        &mut self,
        cert: &Certificate,
        i: usize,
        n: usize,
        self_issued: bool,
    ) -> Result<(), PolicyError> {
        let policies = ext::<CertificatePolicies>(cert)?;
        match policies {
            Some(cp) if !self.is_null() => {
                let prev = self.levels.get(i - 1).ok_or(PolicyError)?;
                let mut next: Vec<Node> = Vec::new();
                // (d)(1): each policy other than anyPolicy joins the nodes
                // that expect it, or else the anyPolicy nodes.
                for p in cp.0.iter().map(|pi| pi.policy_identifier).filter(|p| *p != ANY_POLICY) {
                    let before = next.len();
                    for (idx, node) in prev.iter().enumerate().filter(|(_, n)| n.alive) {
                        if node.expected.contains(&p) {
                            next.push(Node { policy: p, expected: vec![p], parent: idx, alive: true });
                        }
                    }
                    if next.len() == before {
                        for (idx, _) in prev.iter().enumerate().filter(|(_, n)| n.alive && n.policy == ANY_POLICY) {
                            next.push(Node { policy: p, expected: vec![p], parent: idx, alive: true });
                        }
                    }
                }
                // (d)(2): anyPolicy, when not inhibited (or a self-issued
                // intermediate), gives every expected policy not yet there.
                let has_any = cp.0.iter().any(|pi| pi.policy_identifier == ANY_POLICY);
                if has_any && (self.inhibit_any_policy > 0 || (i < n && self_issued)) {
                    for (idx, node) in prev.iter().enumerate().filter(|(_, n)| n.alive) {
                        for e in &node.expected {
                            if !next.iter().any(|c| c.parent == idx && c.policy == *e) {
                                next.push(Node { policy: *e, expected: vec![*e], parent: idx, alive: true });
                            }
                        }
                    }
                }
                self.grow(next.len())?;
                self.levels.push(next);
                // (d)(3)
                self.prune();
            }
            // (e): no certificatePolicies, the tree becomes NULL.
            _ => self.levels.clear(),
        }
        // (f)
        if self.explicit_policy == 0 && self.is_null() { Err(PolicyError) } else { Ok(()) }
    }

    /// §6.1.4 (a)–(b), (h)–(j) for intermediate certificate `i`.
    pub(crate) fn prepare(&mut self, cert: &Certificate, i: usize, self_issued: bool) -> Result<(), PolicyError> {
        if let Some(maps) = ext::<PolicyMappings>(cert)? {
            // (a)
            if maps.0.iter().any(|m| m.issuer_domain_policy == ANY_POLICY || m.subject_domain_policy == ANY_POLICY) {
                return Err(PolicyError);
            }
            if !self.is_null() {
                let mut issuers: Vec<ObjectIdentifier> = Vec::new();
                for m in &maps.0 {
                    if !issuers.contains(&m.issuer_domain_policy) {
                        issuers.push(m.issuer_domain_policy);
                    }
                }
                let level = self.levels.get_mut(i).ok_or(PolicyError)?;
                let mut added = 0;
                for idp in issuers {
                    let subjects: Vec<ObjectIdentifier> = maps
                        .0
                        .iter()
                        .filter(|m| m.issuer_domain_policy == idp)
                        .map(|m| m.subject_domain_policy)
                        .collect();
                    if self.policy_mapping > 0 {
                        // (b)(1)
                        let mut found = false;
                        for node in level.iter_mut().filter(|n| n.alive && n.policy == idp) {
                            node.expected.clone_from(&subjects);
                            found = true;
                        }
                        if !found
                            && let Some(parent) =
                                level.iter().find(|n| n.alive && n.policy == ANY_POLICY).map(|n| n.parent)
                        {
                            level.push(Node { policy: idp, expected: subjects, parent, alive: true });
                            added += 1;
                        }
                    } else {
                        // (b)(2)
                        for node in level.iter_mut().filter(|n| n.policy == idp) {
                            node.alive = false;
                        }
                    }
                }
                self.grow(added)?;
                if self.policy_mapping == 0 {
                    self.prune();
                }
            }
        }
        // (h)
        if !self_issued {
            self.explicit_policy = self.explicit_policy.saturating_sub(1);
            self.policy_mapping = self.policy_mapping.saturating_sub(1);
            self.inhibit_any_policy = self.inhibit_any_policy.saturating_sub(1);
        }
        // (i)
        if let Some(pc) = ext::<PolicyConstraints>(cert)? {
            if let Some(r) = pc.require_explicit_policy {
                self.explicit_policy = self.explicit_policy.min(r as usize);
            }
            if let Some(m) = pc.inhibit_policy_mapping {
                self.policy_mapping = self.policy_mapping.min(m as usize);
            }
        }
        // (j)
        if let Some(InhibitAnyPolicy(skip)) = ext::<InhibitAnyPolicy>(cert)? {
            self.inhibit_any_policy = self.inhibit_any_policy.min(skip as usize);
        }
        Ok(())
    }

    /// §6.1.5 (a), (b), (g) for the end certificate (`n` = path length):
    /// the policies the path authorises, within `user_set` (`None` =
    /// any-policy), or `Err` when the path requires an explicit policy it
    /// does not have.
    pub(crate) fn wrap_up(
        mut self,
        cert: &Certificate,
        n: usize,
        user_set: Option<&[ObjectIdentifier]>,
    ) -> Result<Vec<ObjectIdentifier>, PolicyError> {
        // (a)
        self.explicit_policy = self.explicit_policy.saturating_sub(1);
        // (b)
        if ext::<PolicyConstraints>(cert)?.is_some_and(|pc| pc.require_explicit_policy == Some(0)) {
            self.explicit_policy = 0;
        }
        // (g)(iii): intersect with a user-initial-policy-set other than any-policy.
        if let Some(set) = user_set.filter(|s| !s.contains(&ANY_POLICY))
            && !self.is_null()
        {
            // (g)(iii)(1)–(2): nodes under an anyPolicy parent whose policy
            // the user did not ask for go, with their subtrees.
            for d in 1..self.levels.len() {
                let (upper, lower) = self.levels.split_at_mut(d);
                let parents = &upper[d - 1];
                for c in lower[0].iter_mut() {
                    let parent = parents.get(c.parent);
                    let unasked = parent.is_some_and(|p| p.policy == ANY_POLICY)
                        && c.policy != ANY_POLICY
                        && !set.contains(&c.policy);
                    if !parent.is_some_and(|p| p.alive) || unasked {
                        c.alive = false;
                    }
                }
            }
            // (g)(iii)(3): an anyPolicy leaf is replaced by the user's policies.
            if let Some(leaves) = self.levels.get_mut(n)
                && let Some(pos) = leaves.iter().position(|l| l.alive && l.policy == ANY_POLICY)
            {
                let parent = leaves[pos].parent;
                leaves[pos].alive = false;
                let mut added = 0;
                for p in set {
                    if !leaves.iter().any(|l| l.alive && l.policy == *p) {
                        leaves.push(Node { policy: *p, expected: vec![*p], parent, alive: true });
                        added += 1;
                    }
                }
                self.grow(added)?;
            }
            // (g)(iii)(4)
            self.prune();
            self.propagate_deletions();
        }
        let mut authorised: Vec<ObjectIdentifier> = Vec::new();
        if let Some(leaves) = self.levels.get(n) {
            for l in leaves.iter().filter(|l| l.alive) {
                if !authorised.contains(&l.policy) {
                    authorised.push(l.policy);
                }
            }
        }
        // §6.1.5 (g) end: success needs explicit_policy > 0 or a tree.
        if self.explicit_policy == 0 && authorised.is_empty() { Err(PolicyError) } else { Ok(authorised) }
    }
}
