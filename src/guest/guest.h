/* guest.h: a shell in a migrated guest over SSH (libssh2) on a stream the
 * caller connected (KubeVirt's port-forward, kube_portforward). The guest's
 * host key is verified against the one read from the source VM before the
 * migration; a guest whose key is not known is refused unless
 * accept_unknown says otherwise. */
#ifndef MTV_GUEST_H
#define MTV_GUEST_H

#include <stddef.h>

#include "util/util.h"

struct guest_ssh_opts {
	const char *user;
	const struct secret *password;	/* or */
	const char *private_key_file;
	/* the expected host key, an OpenSSH public key line
	 * ("ssh-ed25519 AAAA... [comment]"); NULL: see accept_unknown */
	const char *host_key;
	bool accept_unknown;		/* explicit, warned about */
	int timeout_s;			/* the whole exchange; 0: 60 */
};

/* Log in over fd (a connected stream; not closed) and run command; *out
 * (may be NULL) gets its standard output, *exit_status its status and
 * *host_key (may be NULL) the key the guest presented ("type base64").
 * Owned by the caller. A refused login is MTV_EAUTH; a host key that
 * differs from o->host_key is MTV_EAUTH naming both SHA256 fingerprints;
 * no answer within the timeout is MTV_ETIMEOUT. */
int guest_ssh_exec(int fd, const struct guest_ssh_opts *o,
		   const char *command, char **out, size_t *outlen,
		   int *exit_status, char **host_key, struct mtv_err *err);

#ifdef MTV_TESTING
/* Internals visible to unit tests. */
int guest_key_parse(const char *line, unsigned char **blob, size_t *len);
int guest_hostkey_check(const unsigned char *blob, size_t len,
			const char *expected, bool accept_unknown,
			char **presented, struct mtv_err *err);
#endif

#endif
