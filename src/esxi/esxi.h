/* esxi.h: ESXi over SSH (libssh2): host-key verification and the restricted
 * authorized_keys line Forklift's ssh clone method needs. */
#ifndef MTV_ESXI_H
#define MTV_ESXI_H

#include "util/util.h"

struct esxi_opts {
	const char *host;
	int port;			/* 0: 22 */
	const char *user;
	const struct secret *password;	/* or */
	const char *private_key_file;
	const char *known_hosts;	/* file; or */
	const char *fingerprint;	/* "SHA256:..." pin */
	bool accept_unknown;		/* explicit, warned about */
	/* path on the host; default /etc/ssh/keys-root/authorized_keys */
	const char *authorized_keys;
};

/* Append line to authorized_keys unless an identical line is present.
 * *added is true when we appended it (so teardown removes it). */
int esxi_key_add(const struct esxi_opts *o, const char *line, bool *added,
		 struct mtv_err *err);
/* Remove exactly the lines equal to line, nothing else. */
int esxi_key_remove(const struct esxi_opts *o, const char *line,
		    struct mtv_err *err);
/* The restricted-command line Forklift expects for public_key. */
char *esxi_restricted_line(const char *public_key);

#ifdef MTV_TESTING
/* Internals visible to unit tests. */
bool esxi_fingerprint_eq(const char *a, const char *b);
char *esxi_keys_append(const char *content, const char *line, bool *present);
char *esxi_keys_remove(const char *content, const char *line, int *removed);
#endif

#endif
