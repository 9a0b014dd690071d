/* names.h: Kubernetes and Forklift naming rules: DNS-1123 checks,
 * Forklift's ChangeVmName and the target VM name, and the DNS label the
 * run's own object names are cut to. One home for plan, steps and verify. */
#ifndef MTV_NAMES_H
#define MTV_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/* Is s a DNS-1123 subdomain (Kubernetes' IsDNS1123Subdomain: at most 253
 * characters of [a-z0-9.-], dot-separated parts that start and end
 * alphanumeric; no limit per part)? */
bool name_dns_subdomain(const char *s);
/* Is s a DNS-1123 label (at most 63 characters of [a-z0-9-], alphanumeric
 * at both ends)? */
bool name_dns_label_ok(const char *s);
/* Forklift's ChangeVmName (pkg/controller/plan/util): lowercase, trim '.'
 * and '-', per '.'-part map "_+* /\" to '-', drop other characters,
 * collapse dashes, cut parts and the whole to 63. "" where Forklift draws
 * a random name. Caller frees. */
char *name_change_vm(const char *name);
/* The name Forklift gives the target VM of source VM name: kept when a
 * DNS-1123 subdomain, else name_change_vm's. Caller frees. */
char *name_target_vm(const char *name);
/* s lowercased, characters other than [a-z0-9] as '-', dashes collapsed,
 * trimmed, cut to max. Caller frees. */
char *name_dns_label(const char *s, size_t max);

#endif
