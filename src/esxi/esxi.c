/* esxi.c: ESXi over SSH (libssh2): host-key verification against a
 * known_hosts file or a pinned SHA256 fingerprint, password or public-key
 * login, and exact edits of the restricted authorized_keys line. The file is
 * read and written through exec channels (cat, then a temporary file renamed
 * over it), with a checksum guard so a concurrent edit is not lost. */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libssh2.h>

#include "esxi/esxi.h"

#define ESXI_TIMEOUT_MS 30000
#define ESXI_MAX_FILE (1024 * 1024)
#define ESXI_DEFAULT_KEYS "/etc/ssh/keys-root/authorized_keys"

/* Forklift's RestrictedSSHCommandTemplate (pkg/lib/util/sshutils.go): an
 * empty DS answers the connectivity probe, anything else runs the shell
 * wrapper the populator uploads to the datastore. */
static const char restricted_cmd[] =
    "sh -c 'DS=$(echo \"$SSH_ORIGINAL_COMMAND\" | sed -n \"s/^DS=\\([^;]*\\);.*/\\1/p\"); "
    "CMD=$(echo \"$SSH_ORIGINAL_COMMAND\" | sed -n \"s/^DS=[^;]*;CMD=//p\"); "
    "if [ -z \"$DS\" ]; then echo \"SSH_OK\"; else SSH_ORIGINAL_COMMAND=\"$CMD\" "
    "exec sh /vmfs/volumes/$DS/secure-vmkfstools-wrapper; fi'";
static const char restricted_opts[] =
	"no-port-forwarding,no-agent-forwarding,no-X11-forwarding";

struct conn {
	int fd;
	LIBSSH2_SESSION *s;
	char *where;		/* "host:port" for messages */
};

static pthread_once_t ssh_once = PTHREAD_ONCE_INIT;
static int ssh_init_rc;

static void
ssh_global_init(void)
{
	ssh_init_rc = libssh2_init(0);
}

char *
esxi_restricted_line(const char *public_key)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p, *end;

	if (public_key == NULL)
		return NULL;
	while (*public_key == ' ' || *public_key == '\t' ||
	       *public_key == '\n' || *public_key == '\r')
		public_key++;
	end = public_key + strlen(public_key);
	while (end > public_key && (end[-1] == ' ' || end[-1] == '\t' ||
				    end[-1] == '\n' || end[-1] == '\r'))
		end--;
	strbuf_adds(&sb, "command=\"");
	for (p = restricted_cmd; *p; p++) {
		if (*p == '"')
			strbuf_addc(&sb, '\\');
		strbuf_addc(&sb, *p);
	}
	strbuf_addf(&sb, "\",%s ", restricted_opts);
	strbuf_add(&sb, public_key, (size_t)(end - public_key));
	return strbuf_detach(&sb);
}

/* Fingerprints compare without trailing '=' padding. */
MTV_STATIC bool
esxi_fingerprint_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	while (la > 0 && a[la - 1] == '=')
		la--;
	while (lb > 0 && b[lb - 1] == '=')
		lb--;
	return la == lb && strncmp(a, b, la) == 0;
}

/* Is line (without newline) one of content's lines? A trailing \r is
 * ignored on both sides. */
static bool
line_eq(const char *p, size_t n, const char *line)
{
	size_t ll = strlen(line);

	if (n > 0 && p[n - 1] == '\r')
		n--;
	while (ll > 0 && (line[ll - 1] == '\r' || line[ll - 1] == '\n'))
		ll--;
	return n == ll && memcmp(p, line, n) == 0;
}

/* content with line appended (a newline added before it when content does
 * not end with one); NULL and *present when an identical line exists. */
MTV_STATIC char *
esxi_keys_append(const char *content, const char *line, bool *present)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = content ? content : "", *nl;
	size_t ll = strlen(line);

	*present = false;
	while (*p) {
		nl = strchr(p, '\n');
		if (line_eq(p, nl ? (size_t)(nl - p) : strlen(p), line)) {
			*present = true;
			return NULL;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	strbuf_adds(&sb, content ? content : "");
	if (sb.len > 0 && sb.buf[sb.len - 1] != '\n')
		strbuf_addc(&sb, '\n');
	while (ll > 0 && (line[ll - 1] == '\n' || line[ll - 1] == '\r'))
		ll--;
	strbuf_add(&sb, line, ll);
	strbuf_addc(&sb, '\n');
	return strbuf_detach(&sb);
}

/* content without the lines equal to line; every other byte is kept.
 * *removed counts the dropped lines. */
MTV_STATIC char *
esxi_keys_remove(const char *content, const char *line, int *removed)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = content ? content : "", *nl;

	*removed = 0;
	strbuf_adds(&sb, "");
	while (*p) {
		size_t n;

		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		if (line_eq(p, n, line))
			(*removed)++;
		else
			strbuf_add(&sb, p, nl ? n + 1 : n);
		if (!nl)
			break;
		p = nl + 1;
	}
	return strbuf_detach(&sb);
}

static void
conn_close(struct conn *c)
{
	if (c->s) {
		libssh2_session_disconnect(c->s, "done");
		libssh2_session_free(c->s);
	}
	if (c->fd >= 0)
		close(c->fd);
	free(c->where);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static int
ssh_errmsg(struct conn *c, struct mtv_err *err, int code, const char *what)
{
	char *m = NULL;

	if (c->s)
		libssh2_session_last_error(c->s, &m, NULL, 0);
	return err_set(err, code, "ESXi '%s': %s%s%s", c->where, what,
		       m && *m ? ": " : "", m && *m ? m : "");
}

static int
tcp_connect(struct conn *c, const char *host, int port, struct mtv_err *err)
{
	struct addrinfo hints, *res = NULL, *ai;
	char sport[16];
	int rc, e = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(sport, sizeof(sport), "%d", port);
	rc = getaddrinfo(host, sport, &hints, &res);
	if (rc != 0)
		return err_set(err, MTV_ENET,
			       "ESXi '%s': cannot resolve host: %s", c->where,
			       gai_strerror(rc));
	for (ai = res; ai; ai = ai->ai_next) {
		struct timeval tv = { ESXI_TIMEOUT_MS / 1000, 0 };

		c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			       ai->ai_protocol);
		if (c->fd < 0) {
			e = errno;
			continue;
		}
		setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		e = errno;
		close(c->fd);
		c->fd = -1;
	}
	freeaddrinfo(res);
	if (c->fd < 0)
		return err_set(err, MTV_ENET, "ESXi '%s': cannot connect: %s",
			       c->where, strerror(e));
	return 0;
}

static int
knownhost_type(int hostkey_type)
{
	switch (hostkey_type) {
	case LIBSSH2_HOSTKEY_TYPE_RSA: return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
	case LIBSSH2_HOSTKEY_TYPE_DSS: return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
#ifdef LIBSSH2_HOSTKEY_TYPE_ECDSA_256
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_256:
		return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_384:
		return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
	case LIBSSH2_HOSTKEY_TYPE_ECDSA_521:
		return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
#endif
#ifdef LIBSSH2_HOSTKEY_TYPE_ED25519
	case LIBSSH2_HOSTKEY_TYPE_ED25519: return LIBSSH2_KNOWNHOST_KEY_ED25519;
#endif
	default: return LIBSSH2_KNOWNHOST_KEY_UNKNOWN;
	}
}

/* Verify the server's host key: a pinned fingerprint, else known_hosts;
 * an unknown key is an error unless accept_unknown. A mismatch always is. */
static int
check_hostkey(struct conn *c, const struct esxi_opts *o, int port,
	      struct mtv_err *err)
{
	const unsigned char *hash;
	const char *key;
	size_t klen;
	int ktype, rc, r = MTV_EAUTH;
	char *fp = NULL;
	LIBSSH2_KNOWNHOSTS *kh = NULL;
	struct libssh2_knownhost *entry = NULL;

	key = libssh2_session_hostkey(c->s, &klen, &ktype);
	hash = (const unsigned char *)libssh2_hostkey_hash(
	    c->s, LIBSSH2_HOSTKEY_HASH_SHA256);
	if (key == NULL || hash == NULL)
		return ssh_errmsg(c, err, MTV_EPROTO, "no host key");
	fp = str_fingerprint_sha256(hash);
	if (o->fingerprint && *o->fingerprint) {
		if (!esxi_fingerprint_eq(fp, o->fingerprint)) {
			err_set(err, MTV_EAUTH,
				"ESXi '%s': host key mismatch: the host "
				"offers %s, the pinned fingerprint is %s",
				c->where, fp, o->fingerprint);
			goto out;
		}
		log_debug(
		    "ESXi '%s': host key %s matches the pinned fingerprint",
		    c->where, fp);
		r = 0;
		goto out;
	}
	if (o->known_hosts && *o->known_hosts) {
		kh = libssh2_knownhost_init(c->s);
		if (kh == NULL) {
			r = ssh_errmsg(c, err, MTV_EINTERNAL,
				       "cannot read known hosts");
			goto out;
		}
		if (libssh2_knownhost_readfile(kh, o->known_hosts,
					       LIBSSH2_KNOWNHOST_FILE_OPENSSH) <
		    0) {
			err_set(err, MTV_EINVAL,
				"ESXi '%s': cannot read known_hosts file '%s'",
				c->where, o->known_hosts);
			r = MTV_EINVAL;
			goto out;
		}
		rc = libssh2_knownhost_checkp(kh, o->host, port, key, klen,
					      LIBSSH2_KNOWNHOST_TYPE_PLAIN |
					      LIBSSH2_KNOWNHOST_KEYENC_RAW |
					      knownhost_type(ktype), &entry);
		switch (rc) {
		case LIBSSH2_KNOWNHOST_CHECK_MATCH:
			log_debug("ESXi '%s': host key %s found in '%s'",
				  c->where, fp, o->known_hosts);
			r = 0;
			goto out;
		case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
			err_set(
			    err, MTV_EAUTH,
			    "ESXi '%s': host key mismatch: the host offers "
			    "%s, which differs from the key in '%s' (possible man-in-the-middle)",
			    c->where, fp, o->known_hosts);
			goto out;
		case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
			break;
		default:
			r = ssh_errmsg(c, err, MTV_EINTERNAL,
				       "cannot check the host key");
			goto out;
		}
	}
	if (o->accept_unknown) {
		log_warn(
		    "ESXi '%s': accepting unverified host key %s (asked for)",
		    c->where, fp);
		r = 0;
		goto out;
	}
	if (o->known_hosts && *o->known_hosts)
		err_set(
		    err, MTV_EAUTH,
		    "ESXi '%s': unknown host key %s: not in known_hosts "
		    "file '%s' (add it, or pin it as copyoffload.esxi_host_key_fingerprint)",
		    c->where, fp, o->known_hosts);
	else
		err_set(err, MTV_EAUTH,
			"ESXi '%s': unknown host key %s: no known_hosts file "
			"or pinned fingerprint to verify it",
			c->where, fp);
out:
	if (kh)
		libssh2_knownhost_free(kh);
	free(fp);
	return r;
}

static void
kbd_cb(const char *name, int name_len, const char *instruction,
       int instruction_len, int num_prompts,
       const LIBSSH2_USERAUTH_KBDINT_PROMPT *prompts,
       LIBSSH2_USERAUTH_KBDINT_RESPONSE *responses, void **abstract)
{
	const struct secret *pw = *abstract;
	int i;

	(void)name; (void)name_len; (void)instruction; (void)instruction_len;
	(void)prompts;
	for (i = 0; i < num_prompts; i++) {
		const char *v = secret_value(pw) ? secret_value(pw) : "";

		/* libssh2 frees the responses with its allocator (malloc) */
		responses[i].text = strdup(v);
		responses[i].length =
		    responses[i].text ? (unsigned)strlen(v) : 0;
	}
}

static int
conn_open(struct conn *c, const struct esxi_opts *o, struct mtv_err *err)
{
	int port = o->port > 0 ? o->port : 22, rc;
	const char *user = o->user && *o->user ? o->user : "root";
	char *methods;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (o->host == NULL || *o->host == '\0')
		return err_set(err, MTV_EINVAL, "ESXi host is not set");
	c->where =
	    port == 22 ? xstrdup(o->host) : xasprintf("%s:%d", o->host, port);
	pthread_once(&ssh_once, ssh_global_init);
	if (ssh_init_rc != 0)
		return err_set(err, MTV_EINTERNAL,
			       "libssh2 initialisation failed");
	for (int attempt = 0;; attempt++) {
		if ((rc = tcp_connect(c, o->host, port, err)) != 0)
			return rc;
		c->s = libssh2_session_init_ex(NULL, NULL, NULL, NULL);
		if (c->s == NULL)
			return err_set(err, MTV_EINTERNAL,
				       "cannot create an SSH session");
		libssh2_session_set_blocking(c->s, 1);
		libssh2_session_set_timeout(c->s, ESXI_TIMEOUT_MS);
		rc = libssh2_session_handshake(c->s, c->fd);
		if (rc == 0)
			break;
		/* a server that closes before its banner (sshd's MaxStartups
		 * drop, a busy host) is tried once more on a new connection */
		if (attempt == 0 && (rc == LIBSSH2_ERROR_BANNER_RECV ||
				     rc == LIBSSH2_ERROR_SOCKET_DISCONNECT)) {
			log_verbose("ESXi '%s': connection closed before the "
				    "SSH banner, connecting again", c->where);
			libssh2_session_free(c->s);
			c->s = NULL;
			close(c->fd);
			c->fd = -1;
			continue;
		}
		return ssh_errmsg(c, err, MTV_ENET, "SSH handshake failed");
	}
	if ((rc = check_hostkey(c, o, port, err)) != 0)
		return rc;
	methods = libssh2_userauth_list(c->s, user, (unsigned)strlen(user));
	if (libssh2_userauth_authenticated(c->s))
		return 0;
	if (o->private_key_file && *o->private_key_file) {
		rc = libssh2_userauth_publickey_fromfile_ex(
		    c->s, user, (unsigned)strlen(user), NULL,
		    o->private_key_file,
		    o->password ? secret_value(o->password) : NULL);
		if (rc == 0)
			return 0;
		if (!o->password)
			return err_set(err, MTV_ELOGIN,
				       "ESXi '%s': public-key login as '%s' "
				       "refused", c->where, user);
	}
	if (o->password) {
		const char *pw =
		    secret_value(o->password) ? secret_value(o->password) : "";

		if (methods == NULL || strstr(methods, "password")) {
			rc = libssh2_userauth_password_ex(
			    c->s, user, (unsigned)strlen(user), pw,
			    (unsigned)strlen(pw), NULL);
			if (rc == 0)
				return 0;
		}
		if (methods && strstr(methods, "keyboard-interactive")) {
			*libssh2_session_abstract(c->s) = (void *)o->password;
			rc = libssh2_userauth_keyboard_interactive_ex(
			    c->s, user, (unsigned)strlen(user), kbd_cb);
			if (rc == 0)
				return 0;
		}
		return err_set(err, MTV_ELOGIN,
			       "ESXi '%s': login as '%s' refused "
			       "(wrong password?)",
			       c->where, user);
	}
	return err_set(
	    err, MTV_EAUTH,
	    "ESXi '%s': no password or private key to log in as '%s'", c->where,
	    user);
}

/* Run cmd with input on stdin; stdout into *out (may be NULL); *status gets
 * the exit status. */
static int
conn_exec(struct conn *c, const char *cmd, const char *input, char **out,
	  int *status, struct mtv_err *err)
{
	LIBSSH2_CHANNEL *ch;
	struct strbuf sb = STRBUF_INIT, eb = STRBUF_INIT;
	char buf[4096];
	ssize_t n;
	int r = MTV_ENET;

	if (out)
		*out = NULL;
	ch = libssh2_channel_open_session(c->s);
	if (ch == NULL)
		return ssh_errmsg(c, err, MTV_ENET, "cannot open a channel");
	if (libssh2_channel_exec(ch, cmd) != 0) {
		r = ssh_errmsg(c, err, MTV_ENET, "cannot run a command");
		goto out;
	}
	if (input) {
		size_t off = 0, len = strlen(input);

		while (off < len) {
			n = libssh2_channel_write(ch, input + off, len - off);
			if (n < 0) {
				r = ssh_errmsg(c, err, MTV_ENET,
					       "write failed");
				goto out;
			}
			off += (size_t)n;
		}
	}
	libssh2_channel_send_eof(ch);
	for (;;) {
		n = libssh2_channel_read(ch, buf, sizeof(buf));
		if (n < 0) {
			r = ssh_errmsg(c, err, MTV_ENET, "read failed");
			goto out;
		}
		if (n == 0)
			break;
		if (sb.len + (size_t)n > ESXI_MAX_FILE) {
			r = err_set(err, MTV_EPROTO,
				    "ESXi '%s': answer too large", c->where);
			goto out;
		}
		strbuf_add(&sb, buf, (size_t)n);
	}
	while ((n = libssh2_channel_read_stderr(ch, buf, sizeof(buf))) > 0)
		if (eb.len < 4096)
			strbuf_add(&eb, buf, (size_t)n);
	libssh2_channel_close(ch);
	libssh2_channel_wait_closed(ch);
	*status = libssh2_channel_get_exit_status(ch);
	if (eb.len)
		log_debug("ESXi '%s': stderr: %s", c->where, strbuf_str(&eb));
	if (out)
		*out = strbuf_detach(&sb);
	r = 0;
out:
	libssh2_channel_free(ch);
	strbuf_release(&sb);
	strbuf_release(&eb);
	return r;
}

/* Read path: *content (NULL when absent) and *sum, its checksum line. */
static int
keys_read(struct conn *c, const char *qpath, char **content, char **sum,
	  struct mtv_err *err)
{
	char *cmd, *out = NULL, *nl;
	int status = 0, r;

	*content = *sum = NULL;
	cmd = xasprintf(
	    "if [ -f %s ]; then cksum < %s && cat %s; else echo MISSING; fi",
	    qpath, qpath, qpath);
	r = conn_exec(c, cmd, NULL, &out, &status, err);
	free(cmd);
	if (r != 0)
		return r;
	if (status != 0 || (nl = strchr(out, '\n')) == NULL) {
		free(out);
		return err_set(err, MTV_EIO,
			       "ESXi '%s': cannot read %s (exit %d)", c->where,
			       qpath, status);
	}
	*nl = '\0';
	*sum = xstrdup(out);
	if (strcmp(out, "MISSING") != 0)
		*content = xstrdup(nl + 1);
	free(out);
	return 0;
}

/* Replace path with data when its checksum is still sum (NULL: absent);
 * MTV_ECONFLICT when someone changed it meanwhile. */
static int
keys_write(struct conn *c, const char *path, const char *qpath, const char *sum,
	   const char *data, struct mtv_err *err)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/'), *qdir, *qtmp,
	     *tmp, *qsum, *cmd, *out = NULL;
	int status = 0, r;

	if (slash && slash != dir)
		*slash = '\0';
	else
		strcpy(dir, "/");
	tmp = xasprintf("%s.mtv-scenario.%ld", path, (long)getpid());
	qtmp = str_sh_quote(tmp);
	qdir = str_sh_quote(dir);
	qsum = str_sh_quote(sum ? sum : "MISSING");
	cmd = xasprintf(
	    "umask 077; mkdir -p %s || exit 4; "
	    "if [ -f %s ]; then s=$(cksum < %s); else s=MISSING; fi; "
	    "[ \"$s\" = %s ] || { cat >/dev/null; echo CHANGED; exit 3; }; "
	    "cat > %s && chmod 600 %s && mv -f %s %s",
	    qdir, qpath, qpath, qsum, qtmp, qtmp, qtmp, qpath);
	r = conn_exec(c, cmd, data, &out, &status, err);
	if (r == 0 && status == 3)
		r = err_set(err, MTV_ECONFLICT,
			    "ESXi '%s': %s changed while we edited it",
			    c->where, path);
	else if (r == 0 && status != 0)
		r = err_set(err, MTV_EIO,
			    "ESXi '%s': cannot write %s (exit %d)", c->where,
			    path, status);
	free(cmd);
	free(out);
	free(qsum);
	free(qdir);
	free(qtmp);
	free(tmp);
	free(dir);
	return r;
}

enum edit { EDIT_ADD, EDIT_REMOVE };

static int
keys_edit(const struct esxi_opts *o, enum edit what, const char *line,
	  bool *changed, struct mtv_err *err)
{
	const char *path = o->authorized_keys && *o->authorized_keys ?
		o->authorized_keys : ESXI_DEFAULT_KEYS;
	char *qpath = str_sh_quote(path);
	struct conn c;
	int r, attempt;

	*changed = false;
	r = conn_open(&c, o, err);
	for (attempt = 0; r == 0 && attempt < 5; attempt++) {
		char *content = NULL, *sum = NULL, *next = NULL;
		bool present = false;
		int removed = 0;

		r = keys_read(&c, qpath, &content, &sum, err);
		if (r != 0)
			break;
		if (what == EDIT_ADD)
			next = esxi_keys_append(content, line, &present);
		else
			next = esxi_keys_remove(content, line, &removed);
		if ((what == EDIT_ADD && present) ||
		    (what == EDIT_REMOVE && removed == 0)) {
			free(content);
			free(sum);
			free(next);
			break;
		}
		r = keys_write(&c, path, qpath, content ? sum : NULL, next,
			       err);
		free(content);
		free(sum);
		free(next);
		if (r == 0) {
			*changed = true;
			break;
		}
		if (r != MTV_ECONFLICT)
			break;
		log_debug("%s", err->msg);
		err_clear(err);
		r = 0;
	}
	if (r == 0 && attempt >= 5)
		r = err_set(err, MTV_ECONFLICT,
			    "ESXi '%s': %s keeps changing under us", c.where,
			    path);
	conn_close(&c);
	free(qpath);
	return r;
}

int
esxi_key_add(const struct esxi_opts *o, const char *line, bool *added,
	     struct mtv_err *err)
{
	return keys_edit(o, EDIT_ADD, line, added, err);
}

int
esxi_key_remove(const struct esxi_opts *o, const char *line,
		struct mtv_err *err)
{
	bool changed;

	return keys_edit(o, EDIT_REMOVE, line, &changed, err);
}
