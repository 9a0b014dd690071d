/* guest_ssh.c: one command in a guest over SSH (libssh2) on a stream the
 * caller connected: handshake, the host key compared with the one expected,
 * password or key login, exec, standard output and exit status. libssh2
 * runs non-blocking and every wait is a poll bounded by one deadline for
 * the whole exchange. */
#include "config.h"

#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <libssh2.h>
#include <openssl/evp.h>

#include "guest/guest.h"

#define GUEST_MAX_OUT (64u << 20)

struct gs {
	int fd;
	LIBSSH2_SESSION *s;
	long long deadline;		/* clock_ms */
	int timeout_s;
};

static pthread_once_t ssh_once = PTHREAD_ONCE_INIT;
static int ssh_init_rc;

static void
ssh_global_init(void)
{
	ssh_init_rc = libssh2_init(0);
}

/* The key type named inside an SSH public key blob (its first string). */
static char *
blob_type(const unsigned char *b, size_t n)
{
	size_t l;

	if (n < 4)
		return NULL;
	l = (size_t)b[0] << 24 | (size_t)b[1] << 16 | (size_t)b[2] << 8 | b[3];
	if (l == 0 || l > 64 || l > n - 4)
		return NULL;
	return xstrndup((const char *)b + 4, l);
}

/* The SHA256 fingerprint of a key blob, as OpenSSH prints it. */
static char *
blob_fingerprint(const unsigned char *b, size_t n)
{
	unsigned char h[32];
	unsigned int got = 0;

	if (!EVP_Digest(b, n, h, &got, EVP_sha256(), NULL) || got != 32)
		return xstrdup("SHA256:?");
	return str_fingerprint_sha256(h);
}

/* Parse an OpenSSH public key line ("type base64 [comment]") into its
 * blob; the type must be the one the blob names. */
MTV_STATIC int
guest_key_parse(const char *line, unsigned char **blob, size_t *len)
{
	const char *p = line, *t, *k;
	char *type = NULL, *b64 = NULL, *inner = NULL;
	int r = -1;

	*blob = NULL;
	*len = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	for (t = p; *p && *p != ' ' && *p != '\t'; p++)
		;
	type = xstrndup(t, (size_t)(p - t));
	while (*p == ' ' || *p == '\t')
		p++;
	for (k = p; *p && *p != ' ' && *p != '\t' && *p != '\n' &&
		    *p != '\r'; p++)
		;
	b64 = xstrndup(k, (size_t)(p - k));
	if (*type == '\0' || *b64 == '\0' || b64_decode(blob, len, b64) != 0)
		goto out;
	inner = blob_type(*blob, *len);
	if (str_eq(inner, type))
		r = 0;
out:
	if (r != 0) {
		free(*blob);
		*blob = NULL;
		*len = 0;
	}
	free(type);
	free(b64);
	free(inner);
	return r;
}

/* Check the key the guest presented (blob) against expected (an OpenSSH
 * public key line, or NULL); *presented gets it as "type base64". */
MTV_STATIC int
guest_hostkey_check(const unsigned char *blob, size_t len,
		    const char *expected, bool accept_unknown,
		    char **presented, struct mtv_err *err)
{
	unsigned char *want = NULL;
	char *type = blob_type(blob, len), *b64, *fp = NULL, *wfp = NULL;
	size_t wlen = 0;
	int r = MTV_EAUTH;

	*presented = NULL;
	if (type == NULL)
		return err_set(err, MTV_EPROTO,
			       "guest SSH: the host key cannot be read");
	b64 = b64_encode(blob, len);
	*presented = xasprintf("%s %s", type, b64);
	free(b64);
	fp = blob_fingerprint(blob, len);
	if (expected == NULL || *expected == '\0') {
		if (!accept_unknown) {
			err_set(err, MTV_EAUTH,
				"guest SSH: host key %s %s cannot be verified: "
				"no expected host key", type, fp);
			goto out;
		}
		log_warn("guest SSH: accepting the unverified host key %s %s "
			 "(asked for)", type, fp);
		r = 0;
		goto out;
	}
	if (guest_key_parse(expected, &want, &wlen) != 0) {
		r = err_set(err, MTV_EINVAL,
			    "guest SSH: the expected host key is not an "
			    "OpenSSH public key line");
		goto out;
	}
	wfp = blob_fingerprint(want, wlen);
	if (wlen != len || memcmp(want, blob, len) != 0) {
		err_set(err, MTV_EAUTH,
			"guest SSH: host key mismatch: the guest offers %s %s, "
			"the expected key is %s", type, fp, wfp);
		goto out;
	}
	log_debug("guest SSH: host key %s %s is the expected one", type, fp);
	r = 0;
out:
	free(want);
	free(type);
	free(fp);
	free(wfp);
	return r;
}

static int
ssh_fail(struct gs *g, struct mtv_err *err, int code, const char *what)
{
	char *m = NULL;

	if (g->s)
		libssh2_session_last_error(g->s, &m, NULL, 0);
	return err_set(err, code, "guest SSH: %s%s%s", what,
		       m && *m ? ": " : "", m && *m ? m : "");
}

/* Wait until the stream can move what libssh2 waits for, or the
 * deadline. */
static int
wait_io(struct gs *g, struct mtv_err *err)
{
	struct pollfd p = { .fd = g->fd, .events = 0, .revents = 0 };
	int dir = libssh2_session_block_directions(g->s);
	long long left = g->deadline - clock_ms();

	if (left <= 0)
		return err_set(err, MTV_ETIMEOUT,
			       "guest SSH: no answer within %d s",
			       g->timeout_s);
	if (dir & LIBSSH2_SESSION_BLOCK_INBOUND)
		p.events |= POLLIN;
	if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND)
		p.events |= POLLOUT;
	if (p.events == 0)
		p.events = POLLIN;
	poll(&p, 1, left > 1000 ? 1000 : (int)left);
	return 0;
}

/* Repeat a libssh2 call while it says EAGAIN. */
#define AGAIN(g, rc, call, err)                                      \
	while (((rc) = (call)) == LIBSSH2_ERROR_EAGAIN)              \
		if (wait_io((g), (err)) != 0) {                      \
			(rc) = LIBSSH2_ERROR_TIMEOUT;                \
			break;                                       \
		}

static void
kbd_cb(const char *name, int name_len, const char *instruction,
       int instruction_len, int num_prompts,
       const LIBSSH2_USERAUTH_KBDINT_PROMPT *prompts,
       LIBSSH2_USERAUTH_KBDINT_RESPONSE *responses, void **abstract)
{
	const struct secret *pw = *abstract;
	const char *v = secret_value(pw) ? secret_value(pw) : "";
	int i;

	(void)name, (void)name_len, (void)instruction, (void)instruction_len;
	(void)prompts;
	for (i = 0; i < num_prompts; i++) {
		/* libssh2 frees the responses with its allocator (malloc) */
		responses[i].text = strdup(v);
		responses[i].length =
			responses[i].text ? (unsigned)strlen(v) : 0;
	}
}

static int
login_key(struct gs *g, const struct guest_ssh_opts *o, const char *user,
	  struct mtv_err *err)
{
	const char *pp = o->password ? secret_value(o->password) : NULL;
	int rc;

	AGAIN(g, rc, libssh2_userauth_publickey_fromfile_ex(
		     g->s, user, (unsigned)strlen(user), NULL,
		     o->private_key_file, pp), err);
	if (rc == LIBSSH2_ERROR_TIMEOUT)
		return MTV_ETIMEOUT;
	return rc == 0 ? 0 : 1;
}

static int
login_password(struct gs *g, const struct guest_ssh_opts *o,
	       const char *user, const char *methods, struct mtv_err *err)
{
	const char *pw = secret_value(o->password) ? secret_value(o->password)
						   : "";
	int rc = -1;

	if (methods == NULL || strstr(methods, "password")) {
		AGAIN(g, rc, libssh2_userauth_password_ex(
			     g->s, user, (unsigned)strlen(user), pw,
			     (unsigned)strlen(pw), NULL), err);
		if (rc == 0 || rc == LIBSSH2_ERROR_TIMEOUT)
			return rc == 0 ? 0 : MTV_ETIMEOUT;
	}
	if (methods && strstr(methods, "keyboard-interactive")) {
		*libssh2_session_abstract(g->s) = (void *)o->password;
		AGAIN(g, rc, libssh2_userauth_keyboard_interactive_ex(
			     g->s, user, (unsigned)strlen(user), kbd_cb), err);
		if (rc == 0 || rc == LIBSSH2_ERROR_TIMEOUT)
			return rc == 0 ? 0 : MTV_ETIMEOUT;
	}
	return 1;
}

/* Log in with the key file, else the password; a refusal is MTV_EAUTH. */
static int
login(struct gs *g, const struct guest_ssh_opts *o, struct mtv_err *err)
{
	const char *user = o->user && *o->user ? o->user : "root";
	char *methods = NULL;
	int r = 1;

	for (;;) {
		methods = libssh2_userauth_list(g->s, user,
						(unsigned)strlen(user));
		if (methods || libssh2_session_last_errno(g->s) !=
				       LIBSSH2_ERROR_EAGAIN)
			break;
		if ((r = wait_io(g, err)) != 0)
			return r;
	}
	r = 1;
	if (libssh2_userauth_authenticated(g->s))
		return 0;
	if (o->private_key_file && *o->private_key_file)
		r = login_key(g, o, user, err);
	if (r == 1 && o->password)
		r = login_password(g, o, user, methods, err);
	if (r == 0 || r == MTV_ETIMEOUT)
		return r;
	if (!o->password && !(o->private_key_file && *o->private_key_file))
		return err_set(err, MTV_EAUTH,
			       "guest SSH: no password or private key to log "
			       "in as '%s'", user);
	return err_set(err, MTV_EAUTH, "guest SSH: login as '%s' refused",
		       user);
}

/* Read what is there of stdout (into sb) and stderr (into eb); 1 at the
 * end of the channel, 0 when it would block, negative on error. */
static int
drain(struct gs *g, LIBSSH2_CHANNEL *ch, struct strbuf *sb,
      struct strbuf *eb, struct mtv_err *err)
{
	char buf[16384];
	ssize_t n, e;

	for (;;) {
		n = libssh2_channel_read(ch, buf, sizeof(buf));
		if (n > 0) {
			if (sb->len + (size_t)n > GUEST_MAX_OUT)
				return err_set(err, MTV_EPROTO,
					       "guest SSH: output over %u "
					       "bytes", GUEST_MAX_OUT);
			strbuf_add(sb, buf, (size_t)n);
		}
		e = libssh2_channel_read_stderr(ch, buf, sizeof(buf));
		if (e > 0 && eb->len < 4096)
			strbuf_add(eb, buf, (size_t)e);
		if (n < 0 && n != LIBSSH2_ERROR_EAGAIN)
			return ssh_fail(g, err, MTV_ENET, "read failed");
		if (n > 0 || e > 0)
			continue;
		if (libssh2_channel_eof(ch))
			return 1;
		return 0;
	}
}

static int
run(struct gs *g, const char *command, struct strbuf *sb, int *status,
    struct mtv_err *err)
{
	LIBSSH2_CHANNEL *ch = NULL;
	struct strbuf eb = STRBUF_INIT;
	int rc, r;

	while ((ch = libssh2_channel_open_session(g->s)) == NULL) {
		if (libssh2_session_last_errno(g->s) != LIBSSH2_ERROR_EAGAIN)
			return ssh_fail(g, err, MTV_ENET,
					"cannot open a channel");
		if ((r = wait_io(g, err)) != 0)
			return r;
	}
	AGAIN(g, rc, libssh2_channel_exec(ch, command), err);
	if (rc != 0) {
		r = rc == LIBSSH2_ERROR_TIMEOUT
			    ? MTV_ETIMEOUT
			    : ssh_fail(g, err, MTV_ENET, "cannot run it");
		goto out;
	}
	AGAIN(g, rc, libssh2_channel_send_eof(ch), err);
	while ((r = drain(g, ch, sb, &eb, err)) == 0)
		if ((r = wait_io(g, err)) != 0)
			goto out;
	if (r < 0)
		goto out;
	AGAIN(g, rc, libssh2_channel_close(ch), err);
	AGAIN(g, rc, libssh2_channel_wait_closed(ch), err);
	*status = libssh2_channel_get_exit_status(ch);
	if (eb.len)
		log_debug("guest SSH: stderr: %s", strbuf_str(&eb));
	r = 0;
out:
	if (ch)
		libssh2_channel_free(ch);
	strbuf_release(&eb);
	return r;
}

static int
session_open(struct gs *g, const struct guest_ssh_opts *o, char **host_key,
	     struct mtv_err *err)
{
	const char *key;
	char *presented = NULL;
	size_t klen = 0;
	int ktype, rc, r;

	pthread_once(&ssh_once, ssh_global_init);
	if (ssh_init_rc != 0)
		return err_set(err, MTV_EINTERNAL,
			       "libssh2 initialisation failed");
	g->s = libssh2_session_init_ex(NULL, NULL, NULL, NULL);
	if (g->s == NULL)
		return err_set(err, MTV_EINTERNAL,
			       "cannot create an SSH session");
	libssh2_session_set_blocking(g->s, 0);
	AGAIN(g, rc, libssh2_session_handshake(g->s, g->fd), err);
	if (rc == LIBSSH2_ERROR_TIMEOUT)
		return MTV_ETIMEOUT;
	if (rc == LIBSSH2_ERROR_BANNER_RECV ||
	    rc == LIBSSH2_ERROR_BANNER_SEND ||
	    rc == LIBSSH2_ERROR_SOCKET_DISCONNECT ||
	    rc == LIBSSH2_ERROR_SOCKET_SEND || rc == LIBSSH2_ERROR_SOCKET_RECV)
		return ssh_fail(g, err, MTV_ENET, "the stream closed before "
				"the SSH banner (no SSH server answers?)");
	if (rc != 0)
		return ssh_fail(g, err, MTV_ENET, "SSH handshake failed");
	key = libssh2_session_hostkey(g->s, &klen, &ktype);
	if (key == NULL)
		return ssh_fail(g, err, MTV_EPROTO, "no host key");
	r = guest_hostkey_check((const unsigned char *)key, klen, o->host_key,
				o->accept_unknown, &presented, err);
	if (host_key)
		*host_key = presented;
	else
		free(presented);
	if (r != 0)
		return r;
	return login(g, o, err);
}

int
guest_ssh_exec(int fd, const struct guest_ssh_opts *o, const char *command,
	       char **out, size_t *outlen, int *exit_status, char **host_key,
	       struct mtv_err *err)
{
	struct gs g = { .fd = fd };
	struct strbuf sb = STRBUF_INIT;
	int status = -1, r;

	if (out)
		*out = NULL;
	if (outlen)
		*outlen = 0;
	if (host_key)
		*host_key = NULL;
	*exit_status = -1;
	g.timeout_s = o->timeout_s > 0 ? o->timeout_s : 60;
	g.deadline = clock_ms() + g.timeout_s * 1000LL;
	r = session_open(&g, o, host_key, err);
	if (r == 0)
		r = run(&g, command, &sb, &status, err);
	if (r == MTV_ETIMEOUT && (!err || err->code != MTV_ETIMEOUT))
		r = err_set(err, MTV_ETIMEOUT,
			    "guest SSH: no answer within %d s", g.timeout_s);
	if (g.s) {
		/* a short goodbye: the deadline may be spent */
		g.deadline = clock_ms() + 1000;
		if (r == 0 || r == MTV_EAUTH)
			libssh2_session_disconnect(g.s, "done");
		libssh2_session_free(g.s);
	}
	if (r == 0) {
		*exit_status = status;
		if (outlen)
			*outlen = sb.len;
		if (out)
			*out = strbuf_detach(&sb);
	}
	strbuf_release(&sb);
	return r;
}
