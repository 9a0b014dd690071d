/* guest.c: the guest transports of mtv-test-tool.
 *
 *   vs guest-run VM [--timeout S] -- CMD...  /bin/bash -c CMD through Guest
 *        Operations; its standard output comes back through a temporary
 *        file (CreateTemporaryFileInGuest, InitiateFileTransferFromGuest,
 *        DeleteFileInGuest) and is printed; "exit N" on stderr
 *   vs guest-put VM PATH [FILE]     upload FILE (default: standard input)
 *   vs guest-get VM PATH            download to standard output
 *   vs guest-rm VM PATH             delete (a missing file is no error)
 *
 *   kube ... ssh [--port N] [--host-key LINE|@FILE] [--accept-unknown]
 *        [--identity FILE] [--timeout S] NS VMI -- CMD...
 *        KubeVirt's port-forward to the VMI's port (22), then CMD over
 *        SSH; its standard output is printed, "exit N" on stderr
 *
 * The guest account comes from GUEST_USER (default root) and
 * GUEST_PASSWORD, never from argv. vs guest-*: exit 0 when done (and, for
 * guest-run, the command exited 0), 1 otherwise, 2 for a missing VM or
 * file, 3 for a refused guest login. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest/guest.h"
#include "kube/kube.h"
#include "step/step.h"
#include "step/vs_step.h"
#include "tool.h"

/* Words of argv after "--" joined by spaces, as ssh(1) joins them. */
static char *
join_words(int argc, char **argv)
{
	struct strbuf sb = STRBUF_INIT;
	int i;

	for (i = 0; i < argc; i++) {
		if (i)
			strbuf_addc(&sb, ' ');
		strbuf_adds(&sb, argv[i]);
	}
	return strbuf_detach(&sb);
}

static int
exit_of(int r)
{
	if (r == 0)
		return 0;
	if (r == MTV_ENOTFOUND)
		return 2;
	if (r == MTV_EAUTH || r == MTV_ELOGIN)
		return 3;
	return 1;
}

/* The standard output of CMD through a temporary file in the guest. */
static int
guest_run(struct vs_client *vs, const char *vm,
	  const struct vs_guest_auth *a, const char *cmd, int timeout,
	  int *code, struct mtv_err *err)
{
	char *tmp = NULL, *qtmp, *line, *args, *qline, *data = NULL;
	size_t len = 0;
	int r;

	r = vs_guest_temp(vs, vm, a, "mtv-test-", ".out", &tmp, err);
	if (r != 0)
		return r;
	qtmp = str_sh_quote(tmp);
	/* the whole command's output, whatever lists it has */
	line = xasprintf("(\n%s\n) > %s", cmd, qtmp);
	qline = str_sh_quote(line);
	args = xasprintf("-c %s", qline);
	r = vs_guest_run(vs, vm, a, "/bin/bash", args, timeout, code, err);
	if (r == 0)
		r = vs_guest_download(vs, vm, a, tmp, &data, &len, err);
	if (r == 0)
		fwrite(data, 1, len, stdout);
	if (vs_guest_delete(vs, vm, a, tmp, r == 0 ? err : NULL) != 0 &&
	    r == 0)
		r = err->code;
	free(data);
	free(args);
	free(qline);
	free(line);
	free(qtmp);
	free(tmp);
	return r;
}

static int
read_input(const char *file, char **data, size_t *len, struct mtv_err *err)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t n;

	if (file && strcmp(file, "-") != 0)
		return file_read(data, len, file, 0, err);
	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		strbuf_add(&sb, buf, n);
	*len = sb.len;
	*data = strbuf_detach(&sb);
	return 0;
}

static int
guest_cmd(struct vs_client *vs, const char *vm, const struct vs_guest_auth *a,
	  int argc, char **argv, int *code, struct mtv_err *err)
{
	const char *op = argv[0];
	char *data = NULL;
	size_t len = 0;
	int r, i, timeout = 60;

	if (strcmp(op, "guest-run") == 0) {
		char *cmd;

		for (i = 2; i < argc && strcmp(argv[i], "--") != 0; i++)
			if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
				timeout = atoi(argv[++i]);
		if (i + 1 >= argc)
			return err_set(err, MTV_EINVAL,
				       "guest-run: no command");
		cmd = join_words(argc - i - 1, argv + i + 1);
		r = guest_run(vs, vm, a, cmd, timeout, code, err);
		free(cmd);
		if (r == 0)
			fprintf(stderr, "exit %d\n", *code);
		return r;
	}
	if (argc < 3)
		return err_set(err, MTV_EINVAL, "%s: no guest path", op);
	if (strcmp(op, "guest-put") == 0) {
		r = read_input(argc > 3 ? argv[3] : NULL, &data, &len, err);
		if (r == 0)
			r = vs_guest_upload(vs, vm, a, argv[2], data, len, err);
	} else if (strcmp(op, "guest-get") == 0) {
		r = vs_guest_download(vs, vm, a, argv[2], &data, &len, err);
		if (r == 0)
			fwrite(data, 1, len, stdout);
	} else if (strcmp(op, "guest-rm") == 0) {
		r = vs_guest_delete(vs, vm, a, argv[2], err);
	} else {
		r = err_set(err, MTV_EINVAL, "unknown command '%s'", op);
	}
	free(data);
	return r;
}

int
tool_vs_guest(int argc, char **argv)
{
	struct mtv_err err = { 0 };
	struct vs_client *vs = NULL;
	struct secret *pw = secret_new(getenv("GUEST_PASSWORD"));
	struct vs_guest_auth a = { getenv("GUEST_USER"), pw };
	struct vs_opts o;
	char *vm = NULL;
	int r, code = 0;

	if (a.user == NULL)
		a.user = "root";
	if (argc < 2) {
		fprintf(stderr, "usage: mtv-test-tool vs guest-run VM "
				"[--timeout S] -- CMD...\n"
				"       mtv-test-tool vs guest-put VM PATH "
				"[FILE]\n"
				"       mtv-test-tool vs guest-get|guest-rm VM "
				"PATH\n");
		secret_free(pw);
		return 4;
	}
	step_vs_opts(&o, NULL);
	r = vs_connect(&vs, &o, &err);
	secret_free((struct secret *)o.password);
	if (r == 0)
		r = vs_find(vs, "VirtualMachine", argv[1], &vm, &err);
	if (r == 0)
		r = guest_cmd(vs, vm, &a, argc, argv, &code, &err);
	if (r != 0)
		log_error("%s", err.msg);
	fprintf(stderr, "calls %ld\n", vs_calls(vs));
	free(vm);
	vs_free(vs);
	secret_free(pw);
	fflush(stdout);
	return r != 0 ? exit_of(r) : code != 0;
}

/* --host-key LINE, or @FILE for the line in FILE. */
static char *
host_key_arg(const char *s, struct mtv_err *err)
{
	char *data = NULL;
	size_t len;

	if (s[0] != '@')
		return xstrdup(s);
	if (file_read(&data, &len, s + 1, 0, err) != 0)
		return NULL;
	return data;
}

int
tool_kube_ssh(struct kube_client *k, int argc, char **argv,
	      struct mtv_err *err)
{
	struct guest_ssh_opts o = { 0 };
	struct secret *pw = NULL;
	char *cmd = NULL, *key = NULL, *out = NULL, *seen = NULL;
	size_t outlen = 0;
	int i, port = 22, fd = -1, code = -1, r = MTV_EINVAL;

	o.user = getenv("GUEST_USER") ? getenv("GUEST_USER") : "root";
	for (i = 1; i < argc && str_startswith(argv[i], "--") &&
		    strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--accept-unknown") == 0)
			o.accept_unknown = true;
		else if (i + 1 >= argc)
			break;
		else if (strcmp(argv[i], "--port") == 0)
			port = atoi(argv[++i]);
		else if (strcmp(argv[i], "--timeout") == 0)
			o.timeout_s = atoi(argv[++i]);
		else if (strcmp(argv[i], "--identity") == 0)
			o.private_key_file = argv[++i];
		else if (strcmp(argv[i], "--host-key") == 0 &&
			 (key = host_key_arg(argv[++i], err)) == NULL)
			goto out;
	}
	if (i + 3 >= argc || strcmp(argv[i + 2], "--") != 0) {
		r = err_set(err, MTV_EINVAL, "usage: ssh [options] NS VMI -- "
			    "CMD...");
		goto out;
	}
	o.host_key = key;
	if (getenv("GUEST_PASSWORD"))
		pw = secret_new(getenv("GUEST_PASSWORD"));
	o.password = pw;
	cmd = join_words(argc - i - 3, argv + i + 3);
	r = kube_portforward(k, argv[i], argv[i + 1], port, &fd, err);
	if (r == 0)
		r = guest_ssh_exec(fd, &o, cmd, &out, &outlen, &code, &seen,
				   err);
	if (seen)
		fprintf(stderr, "host key %s\n", seen);
	if (r == 0) {
		fwrite(out, 1, outlen, stdout);
		fprintf(stderr, "exit %d\n", code);
		if (code != 0)
			r = err_set(err, MTV_EFAILED, "'%s' exited with %d",
				    cmd, code);
	}
out:
	if (fd >= 0)
		close(fd);
	secret_free(pw);
	free(cmd);
	free(key);
	free(out);
	free(seen);
	return r;
}
