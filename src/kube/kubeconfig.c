/* kubeconfig.c: connection settings from kubeconfig files (merged as
 * kubectl merges them), exec credential plugins and the in-cluster service
 * account. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kube/kube_int.h"

#define EXEC_OUT_MAX (1024 * 1024)
#define EXEC_TIMEOUT_MS 60000

void
kube_strv_free(char **v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

static void
wipe_free(void *p, size_t n)
{
	if (p)
		freezero(p, n);
}

void
kube_conf_release(struct kube_conf *c)
{
	free(c->server);
	free(c->ca_file);
	free(c->ca_data);
	free(c->tls_server_name);
	free(c->proxy_url);
	if (c->token)
		freezero(c->token, strlen(c->token));
	free(c->token_file);
	free(c->cert_file);
	free(c->key_file);
	free(c->cert_data);
	wipe_free(c->key_data, c->key_len);
	json_object_put(c->exec);
	free(c->namespace);
	free(c->origin);
	memset(c, 0, sizeof(*c));
}

/* Replace the token (registered with redact). */
static void
set_token(struct kube_conf *c, const char *tok, size_t len)
{
	if (c->token)
		freezero(c->token, strlen(c->token));
	c->token = xstrndup(tok, len);
	/* trailing white space of files is not part of the token */
	len = strlen(c->token);
	while (len > 0 && strchr(" \t\r\n", c->token[len - 1]))
		c->token[--len] = '\0';
	redact_add(c->token);
}

int
kubeconfig_paths(char ***out, const char *flag, struct mtv_err *err)
{
	const char *env = getenv("KUBECONFIG"), *home = getenv("HOME");
	char **v = NULL, *copy = NULL, *tok, *save = NULL;
	size_t n = 0;
	struct stat st;

	*out = NULL;
	if (flag && *flag) {
		v = xcalloc(2, sizeof(*v));
		v[0] = xstrdup(flag);
		*out = v;
		return 0;
	}
	if (env && *env) {
		copy = xstrdup(env);
		v = xcalloc(strlen(env) / 2 + 2, sizeof(*v));
		for (tok = strtok_r(copy, ":", &save); tok;
		     tok = strtok_r(NULL, ":", &save))
			if (*tok)
				v[n++] = xstrdup(tok);
		free(copy);
		if (n > 0) {
			*out = v;
			return 0;
		}
		free(v);
		return err_set(err, MTV_ENOTFOUND,
			       "no file named in KUBECONFIG");
	}
	if (!home || !*home)
		return err_set(err, MTV_ENOTFOUND,
			       "no kubeconfig: HOME is not set");
	v = xcalloc(2, sizeof(*v));
	v[0] = xasprintf("%s/.kube/config", home);
	if (stat(v[0], &st) != 0) {
		kube_strv_free(v);
		return err_set(err, MTV_ENOTFOUND,
			       "no kubeconfig in \"%s/.kube\"", home);
	}
	*out = v;
	return 0;
}

/* Make the string member key of obj absolute against dir. */
static void
absolutize(json_object *obj, const char *key, const char *dir,
	   bool only_with_slash)
{
	const char *s = jstr(obj, key);
	char *full;

	if (!s || !*s || s[0] == '/')
		return;
	if (only_with_slash && !strchr(s, '/'))
		return;
	full = xasprintf("%s/%s", dir, s);
	json_object_object_add(obj, key, json_object_new_string(full));
	free(full);
}

/* Relative references of one file, made absolute against its folder. */
static void
fix_paths(json_object *root, const char *file)
{
	char *dir = NULL, *slash, cwd[PATH_MAX];
	json_object *a;
	size_t i;

	if (file[0] == '/')
		dir = xstrdup(file);
	else
		dir = xasprintf("%s/%s", getcwd(cwd, sizeof(cwd)) ? cwd : ".",
				file);
	slash = strrchr(dir, '/');
	*slash = '\0';
	a = jget(root, "clusters");
	for (i = 0; i < jlen(a); i++)
		absolutize(jget(json_object_array_get_idx(a, i), "cluster"),
			   "certificate-authority", dir, false);
	a = jget(root, "users");
	for (i = 0; i < jlen(a); i++) {
		json_object *u = jget(json_object_array_get_idx(a, i), "user");

		absolutize(u, "client-certificate", dir, false);
		absolutize(u, "client-key", dir, false);
		absolutize(u, "tokenFile", dir, false);
		absolutize(jget(u, "exec"), "command", dir, true);
	}
	free(dir);
}

/* Append the named entries of src[key] that dst[key] does not have yet. */
static void
merge_named(json_object *dst, json_object *src, const char *key)
{
	json_object *da = jget(dst, key), *sa = jget(src, key);
	size_t i, j;

	if (!sa || !json_object_is_type(sa, json_type_array))
		return;
	if (!da) {
		da = json_object_new_array();
		json_object_object_add(dst, key, da);
	}
	for (i = 0; i < json_object_array_length(sa); i++) {
		json_object *e = json_object_array_get_idx(sa, i);
		const char *name = jtext(e, "name");
		bool seen = false;

		if (!name)
			continue;
		for (j = 0; j < json_object_array_length(da) && !seen; j++)
			seen = str_eq(
				jtext(json_object_array_get_idx(da, j),
					   "name"),
				name);
		if (!seen)
			json_object_array_add(da, json_object_get(e));
	}
}

/* A kubeconfig under $HOME that others can read holds credentials in the
 * open (files mounted from Secrets elsewhere are not warned about). */
static void
warn_lax_mode(const char *path)
{
	const char *home = getenv("HOME");
	struct stat st;

	if (home && *home && str_startswith(path, home) && stat(path, &st) == 0 &&
	    (st.st_mode & 077))
		log_warn("kubeconfig \"%s\" can be read by others (mode %03o)", path,
			 (unsigned)(st.st_mode & 0777));
}

/* The loader without one from the caller: JSON files only. */
static int
load_json(json_object **out, const char *path, struct mtv_err *err)
{
	*out = json_object_from_file(path);
	if (*out == NULL)
		return err_set(err, MTV_EINVAL, "not JSON");
	return 0;
}

int
kubeconfig_merge(json_object **out, char *const *paths, kube_load_fn load,
		 struct mtv_err *err)
{
	json_object *m = json_object_new_object(), *root = NULL;
	size_t i;
	int r = MTV_EINVAL;

	*out = NULL;
	for (i = 0; paths[i]; i++) {
		const char *cur;

		/* a missing file in a KUBECONFIG list is skipped, as kubectl does */
		if (access(paths[i], F_OK) != 0) {
			if (i == 0 && !paths[1]) {
				r = err_set(err, MTV_ENOTFOUND,
					    "kubeconfig \"%s\" does not exist",
					    paths[i]);
				goto out;
			}
			continue;
		}
		warn_lax_mode(paths[i]);
		if ((r = (load ? load : load_json)(&root, paths[i], err)) != 0) {
			err_prefix(err, "kubeconfig \"%s\" cannot be read",
				   paths[i]);
			goto out;
		}
		if (root && json_object_is_type(root, json_type_object)) {
			fix_paths(root, paths[i]);
			cur = jtext(root, "current-context");
			if (cur && *cur && !jtext(m, "current-context"))
				jputs(m, "current-context", cur);
			merge_named(m, root, "clusters");
			merge_named(m, root, "users");
			merge_named(m, root, "contexts");
		} else if (root) {
			r = err_set(err, MTV_EINVAL,
				    "kubeconfig \"%s\" is not a mapping",
				    paths[i]);
			goto out;
		}
		json_object_put(root);
		root = NULL;
	}
	*out = m;
	m = NULL;
	r = 0;
out:
	json_object_put(root);
	json_object_put(m);
	return r;
}

static json_object *
find_named(json_object *cfg, const char *list, const char *name,
	   const char *inner)
{
	json_object *a = jget(cfg, list);
	size_t i;

	for (i = 0; a && json_object_is_type(a, json_type_array) &&
		    i < json_object_array_length(a);
	     i++) {
		json_object *e = json_object_array_get_idx(a, i);

		if (str_eq(jtext(e, "name"), name))
			return jget(e, inner);
	}
	return NULL;
}

/* Base64 member into bytes. */
static int
decode_data(unsigned char **out, size_t *len, json_object *obj, const char *key,
	    struct mtv_err *err)
{
	const char *s = jtext(obj, key);

	if (!s || !*s)
		return 0;
	if (b64_decode(out, len, s) != 0)
		return err_set(err, MTV_EINVAL,
			       "kubeconfig \"%s\" is not valid base64", key);
	return 0;
}

/* Server, namespace and TLS settings of a context's cluster. */
static int
resolve_cluster(struct kube_conf *c, json_object *ctx, json_object *cl,
		struct mtv_err *err)
{
	const char *s = jtext(cl, "server");

	if (!s || !*s)
		return err_set(err, MTV_EINVAL, "cluster \"%s\" has no server",
			       jtext(ctx, "cluster"));
	c->server = xstrdup(s);
	while (str_endswith(c->server, "/"))
		c->server[strlen(c->server) - 1] = '\0';
	if ((s = jtext(ctx, "namespace")) && *s)
		c->namespace = xstrdup(s);
	c->insecure = str_eq(jtext(cl, "insecure-skip-tls-verify"), "true");
	if ((s = jtext(cl, "tls-server-name")) && *s)
		c->tls_server_name = xstrdup(s);
	if ((s = jtext(cl, "proxy-url")) && *s)
		c->proxy_url = xstrdup(s);
	/* certificate-authority-data overrides the file */
	if (decode_data(&c->ca_data, &c->ca_len, cl,
			"certificate-authority-data", err))
		return err->code;
	if (!c->ca_data && (s = jtext(cl, "certificate-authority")) && *s)
		c->ca_file = xstrdup(s);
	return 0;
}

/* Client certificate and key of a user, data over files. */
static int
resolve_cert(struct kube_conf *c, json_object *u, struct mtv_err *err)
{
	const char *s;

	if (decode_data(&c->cert_data, &c->cert_len, u,
			"client-certificate-data", err))
		return err->code;
	if (decode_data(&c->key_data, &c->key_len, u, "client-key-data", err))
		return err->code;
	if (c->key_data) {
		char *k = xstrndup((const char *)c->key_data, c->key_len);

		redact_add(k);
		freezero(k, strlen(k));
	}
	if (!c->cert_data && (s = jtext(u, "client-certificate")) && *s)
		c->cert_file = xstrdup(s);
	if (!c->key_data && (s = jtext(u, "client-key")) && *s)
		c->key_file = xstrdup(s);
	return 0;
}

/* The user's credentials and which of them authenticates. */
static int
resolve_user(struct kube_conf *c, json_object *u, const char *uname,
	     struct mtv_err *err)
{
	const char *s;
	int methods = 0;

	if (resolve_cert(c, u, err))
		return err->code;
	if ((s = jtext(u, "token")) && *s) {
		/* token wins over tokenFile */
		set_token(c, s, strlen(s));
		c->auth = KUBE_AUTH_TOKEN;
		methods++;
	} else if ((s = jtext(u, "tokenFile")) && *s) {
		c->token_file = xstrdup(s);
		c->auth = KUBE_AUTH_TOKEN_FILE;
		methods++;
	}
	if (json_object_is_type(jget(u, "exec"), json_type_object)) {
		c->exec = json_object_get(jget(u, "exec"));
		if (c->auth == KUBE_AUTH_NONE)
			c->auth = KUBE_AUTH_EXEC;
		methods++;
	}
	if ((c->cert_data || c->cert_file) && (c->key_data || c->key_file)) {
		if (c->auth == KUBE_AUTH_NONE)
			c->auth = KUBE_AUTH_CERT;
	} else if (c->cert_data || c->cert_file || c->key_data ||
		   c->key_file) {
		return err_set(
			err, MTV_EINVAL,
			"user \"%s\" has a client certificate without its key or a key without its certificate",
			uname);
	}
	if (jtext(u, "username") && methods > 0)
		return err_set(
			err, MTV_EINVAL,
			"user \"%s\" has more than one authentication method",
			uname);
	if (jget(u, "auth-provider"))
		return err_set(
			err, MTV_EINVAL,
			"user \"%s\": auth-provider is not supported, use an exec plugin",
			uname);
	return 0;
}

int
kubeconfig_resolve(struct kube_conf *c, json_object *cfg, const char *context,
		   struct mtv_err *err)
{
	json_object *ctx, *cl, *u;
	const char *cname = context;

	if (!cname || !*cname)
		cname = jtext(cfg, "current-context");
	if (!cname || !*cname)
		return err_set(err, MTV_EINVAL,
			       "kubeconfig has no current context");
	ctx = find_named(cfg, "contexts", cname, "context");
	if (!ctx)
		return err_set(err, MTV_EINVAL,
			       "context \"%s\" not found in kubeconfig", cname);
	cl = find_named(cfg, "clusters", jtext(ctx, "cluster"), "cluster");
	if (!cl)
		return err_set(
			err, MTV_EINVAL,
			"cluster \"%s\" of context \"%s\" not found in kubeconfig",
			jtext(ctx, "cluster") ? jtext(ctx, "cluster") : "",
			cname);
	u = find_named(cfg, "users", jtext(ctx, "user"), "user");
	if (resolve_cluster(c, ctx, cl, err))
		return err->code;
	c->auth = KUBE_AUTH_NONE;
	if (u && resolve_user(c, u, jtext(ctx, "user"), err))
		return err->code;
	c->origin = xstrdup("kubeconfig");
	return 0;
}

int
kube_conf_from_kubeconfig(struct kube_conf *c, const char *flag,
			  const char *context, kube_load_fn load,
			  struct mtv_err *err)
{
	char **paths = NULL;
	json_object *cfg = NULL;
	int r;

	r = kubeconfig_paths(&paths, flag, err);
	if (r == 0)
		r = kubeconfig_merge(&cfg, paths, load, err);
	if (r == 0)
		r = kubeconfig_resolve(c, cfg, context, err);
	if (r == 0 && c->auth == KUBE_AUTH_TOKEN_FILE)
		r = kube_conf_reload_token(c, true, err);
	json_object_put(cfg);
	kube_strv_free(paths);
	return r;
}

int
kube_conf_reload_token(struct kube_conf *c, bool force, struct mtv_err *err)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int r;

	if (!c->token_file)
		return 0;
	if (stat(c->token_file, &st) != 0)
		return err_set(err, MTV_EAUTH, "token file \"%s\": %s",
			       c->token_file, strerror(errno));
	if (!force && c->token &&
	    (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec ==
		    c->token_mtime)
		return 0;
	r = file_read(&buf, &len, c->token_file, 64 * 1024, err);
	if (r != 0)
		return r;
	set_token(c, buf, len);
	freezero(buf, len);
	c->token_mtime = (long long)st.st_mtim.tv_sec * 1000000000LL +
			 st.st_mtim.tv_nsec;
	if (!*c->token)
		return err_set(err, MTV_EAUTH, "token file \"%s\" is empty",
			       c->token_file);
	return 0;
}

int
kube_conf_in_cluster(struct kube_conf *c, const char *dir, struct mtv_err *err)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	char *p = NULL, *ns = NULL;
	size_t len = 0;
	struct mtv_err e2;

	if (!host || !*host || !port || !*port)
		return err_set(
			err, MTV_ENOTFOUND,
			"not in a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set");
	if (!dir)
		dir = KUBE_SA_DIR;
	c->server = strchr(host, ':') ? xasprintf("https://[%s]:%s", host, port)
				      : xasprintf("https://%s:%s", host, port);
	c->token_file = xasprintf("%s/token", dir);
	p = xasprintf("%s/ca.crt", dir);
	if (access(p, R_OK) == 0) {
		c->ca_file = p;
		p = NULL;
	}
	free(p);
	p = xasprintf("%s/namespace", dir);
	if (file_read(&ns, &len, p, 4096, &e2) == 0) {
		while (len > 0 && strchr(" \r\n\t", ns[len - 1]))
			ns[--len] = '\0';
		c->namespace = ns;
	}
	free(p);
	c->auth = KUBE_AUTH_TOKEN_FILE;
	c->origin = xstrdup("in-cluster");
	return kube_conf_reload_token(c, true, err);
}

/* ---- exec credential plugins ---- */

/* The ExecCredential handed to the plugin in KUBERNETES_EXEC_INFO. */
static char *
exec_info(const struct kube_conf *c, const char *api)
{
	json_object *o = json_object_new_object(),
		    *spec = json_object_new_object();
	char *s;

	json_object_object_add(o, "apiVersion", json_object_new_string(api));
	json_object_object_add(o, "kind",
			       json_object_new_string("ExecCredential"));
	json_object_object_add(spec, "interactive", json_object_new_boolean(0));
	if (str_eq(jtext(c->exec, "provideClusterInfo"), "true")) {
		json_object *cl = json_object_new_object();

		json_object_object_add(cl, "server",
				       json_object_new_string(c->server));
		if (c->insecure)
			json_object_object_add(cl, "insecure-skip-tls-verify",
					       json_object_new_boolean(1));
		if (c->tls_server_name)
			json_object_object_add(
				cl, "tls-server-name",
				json_object_new_string(c->tls_server_name));
		if (c->ca_data) {
			char *b = b64_encode(c->ca_data, c->ca_len);

			json_object_object_add(cl, "certificate-authority-data",
					       json_object_new_string(b));
			free(b);
		}
		json_object_object_add(spec, "cluster", cl);
	}
	json_object_object_add(o, "spec", spec);
	s = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

/* Run argv with extra env; stdout into *out (max EXEC_OUT_MAX). */
static int
run_plugin(char **argv, json_object *env, const char *info, struct strbuf *out,
	   struct strbuf *errout, int *status, struct mtv_err *err)
{
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 };
	pid_t pid;
	long long deadline = clock_ms() + EXEC_TIMEOUT_MS;
	struct pollfd fds[2];
	size_t i;
	int r = MTV_EIO, open_fds = 2;

	if (pipe2(po, O_CLOEXEC) != 0 || pipe2(pe, O_CLOEXEC) != 0) {
		r = err_set(err, MTV_EIO, "pipe: %s", strerror(errno));
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		r = err_set(err, MTV_EIO, "fork: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		for (i = 0; env && i < json_object_array_length(env); i++) {
			json_object *e = json_object_array_get_idx(env, i);

			if (jtext(e, "name"))
				setenv(jtext(e, "name"),
				       jtext(e, "value")
					       ? jtext(e, "value")
					       : "",
				       1);
		}
		setenv("KUBERNETES_EXEC_INFO", info, 1);
		execvp(argv[0], argv);
		dprintf(2, "cannot run \"%s\": %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	po[1] = pe[1] = -1;
	fds[0].fd = po[0];
	fds[1].fd = pe[0];
	fds[0].events = fds[1].events = POLLIN;
	while (open_fds > 0) {
		long long left = deadline - clock_ms();
		char buf[4096];
		int n;

		if (left <= 0) {
			kill(pid, SIGKILL);
			waitpid(pid, status, 0);
			r = err_set(
				err, MTV_ETIMEOUT,
				"credential plugin \"%s\" did not finish within %d s",
				argv[0], EXEC_TIMEOUT_MS / 1000);
			goto fail;
		}
		n = poll(fds, 2, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		for (i = 0; i < 2; i++) {
			ssize_t got;

			if (fds[i].fd < 0 ||
			    !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			got = read(fds[i].fd, buf, sizeof(buf));
			if (got <= 0) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
				continue;
			}
			if (i == 0 && out->len + (size_t)got <= EXEC_OUT_MAX)
				strbuf_add(out, buf, (size_t)got);
			else if (i == 1 && errout->len < 4096)
				strbuf_add(errout, buf, (size_t)got);
		}
	}
	po[0] = pe[0] = -1;
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return 0;
fail:
	for (i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
	}
	return r;
}

/* RFC 3339 "2026-01-02T03:04:05Z" to Unix milliseconds (0 on error). */
static long long
rfc3339_ms(const char *s)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end)
		return 0;
	return (long long)timegm(&tm) * 1000;
}

int
kube_conf_exec(struct kube_conf *c, struct mtv_err *err)
{
	const char *cmd = jtext(c->exec, "command");
	const char *api = jtext(c->exec, "apiVersion");
	json_object *args = jget(c->exec, "args"), *cred = NULL, *st;
	struct strbuf out = STRBUF_INIT, eout = STRBUF_INIT;
	char **argv = NULL, *info = NULL;
	size_t i, n = 0;
	int status = 0, r = MTV_EAUTH;
	const char *s;

	if (!cmd || !*cmd)
		return err_set(err, MTV_EINVAL,
			       "kubeconfig exec plugin has no command");
	if (!api)
		api = "client.authentication.k8s.io/v1";
	if (str_eq(jtext(c->exec, "interactiveMode"), "Always"))
		return err_set(
			err, MTV_EAUTH,
			"credential plugin \"%s\" needs a terminal (interactiveMode Always): log in first, then run again",
			cmd);
	if (args && json_object_is_type(args, json_type_array))
		n = json_object_array_length(args);
	argv = xcalloc(n + 2, sizeof(*argv));
	argv[0] = xstrdup(cmd);
	for (i = 0; i < n; i++)
		argv[i + 1] = xstrdup(json_object_get_string(
			json_object_array_get_idx(args, i)));
	info = exec_info(c, api);
	r = run_plugin(argv, jget(c->exec, "env"), info, &out, &eout, &status,
		       err);
	if (r != 0)
		goto out;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		const char *hint = jtext(c->exec, "installHint");

		r = err_set(
			err, MTV_EAUTH,
			"credential plugin \"%s\" failed (status %d): %s%s%s",
			cmd, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
			eout.len ? strbuf_str(&eout) : "no message",
			hint ? "; " : "", hint ? hint : "");
		goto out;
	}
	cred = json_tokener_parse(strbuf_str(&out));
	st = jget(cred, "status");
	if (!cred || !str_eq(jtext(cred, "kind"), "ExecCredential") ||
	    !st) {
		r = err_set(
			err, MTV_EAUTH,
			"credential plugin \"%s\" did not print an ExecCredential with a status",
			cmd);
		goto out;
	}
	if ((s = jtext(st, "token")) && *s) {
		set_token(c, s, strlen(s));
	} else if (jtext(st, "clientCertificateData") &&
		   jtext(st, "clientKeyData")) {
		free(c->cert_data);
		wipe_free(c->key_data, c->key_len);
		c->cert_data = (unsigned char *)xstrdup(
			jtext(st, "clientCertificateData"));
		c->cert_len = strlen((char *)c->cert_data);
		c->key_data = (unsigned char *)xstrdup(
			jtext(st, "clientKeyData"));
		c->key_len = strlen((char *)c->key_data);
		redact_add((char *)c->key_data);
	} else {
		r = err_set(
			err, MTV_EAUTH,
			"credential plugin \"%s\" gave neither a token nor a client certificate",
			cmd);
		goto out;
	}
	c->exec_expiry_ms = 0;
	if ((s = jtext(st, "expirationTimestamp")))
		c->exec_expiry_ms = rfc3339_ms(s);
	r = 0;
out:
	json_object_put(cred);
	if (out.buf)
		freezero(out.buf, out.cap);
	strbuf_release(&eout);
	kube_strv_free(argv);
	free(info);
	return r;
}
