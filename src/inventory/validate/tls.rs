//! A server's `tls`: the TCP services that speak TLS on ports other than the well-known ones,
//! whose versions TLS-VERSION probes.

use toml::Spanned;

use super::Validator;
use crate::diag::Diagnostic;
use crate::inventory::raw::{self, Proto, Service};

impl Validator<'_> {
    /// The ports of a server's `tls`: TCP only (a TLS probe is a TCP handshake).
    pub(super) fn tls_ports(&mut self, tls: Option<Spanned<raw::List<Service>>>) -> Vec<u16> {
        let Some(tls) = tls else { return vec![] };
        let span = tls.span();
        let mut ports = vec![];
        for (service, sspan) in tls.get_ref().items(&span) {
            if service.proto == Proto::Tcp {
                ports.push(service.port);
            } else {
                self.diags.push(
                    Diagnostic::new(
                        "tls-not-tcp",
                        format!("`{service}` in `tls` is not a TCP service"),
                    )
                    .at(self.loc(sspan), "DTLS over UDP is not probed")
                    .hint("list only the TCP services that speak TLS, such as \"tcp/8444\""),
                );
            }
        }
        ports
    }
}
