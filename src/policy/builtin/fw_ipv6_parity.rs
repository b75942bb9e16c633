//! `fw-ipv6-parity` (FW-IPV6-PARITY): IPv6 is enabled on the host but inbound IPv6 is not
//! default-deny.

use super::fw_host_default_deny::{backend_name, denies, policy_name};
use super::{Verdict, fail, need, pass};
use crate::collect::host::HostFacts;
use crate::inventory::Inventory;

pub(super) fn judge(inv: &Inventory, server: usize, f: &HostFacts) -> Result<Verdict, Verdict> {
    let id = &inv.servers[server].id;
    let v6 = need(&f.ipv6, "the IPv6 state")?;
    if !v6.enabled {
        return Ok(pass(
            format!("IPv6 is disabled on {id}"),
            "ipv6.enabled = false".into(),
        ));
    }
    let fw = need(&f.firewall, "the firewall")?;
    let evidence = format!(
        "ipv6.enabled = true; firewall.backend = {}; firewall.input_policy_v6 = {}; firewall.input_policy_v4 = {}",
        backend_name(fw),
        policy_name(fw.input_policy_v6),
        policy_name(fw.input_policy_v4)
    );
    Ok(if denies(fw.input_policy_v6) {
        pass(format!("{id} filters inbound IPv6 by default"), evidence)
    } else {
        fail(
            format!(
                "{id} has IPv6 enabled but inbound IPv6 is {}",
                policy_name(fw.input_policy_v6)
            ),
            evidence,
        )
    })
}
