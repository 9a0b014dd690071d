package main

// The guest's shell: the subset of `/bin/bash -c` that the pytest suite's
// guest commands (mtv-api-tests utilities: `mkdir -p DIR && echo MARKER |
// tee FILE`, `cat FILE`, `sha256sum FILE`, run through Guest Operations'
// StartProgramInGuest with /bin/bash -c) and mtv-scenario's data_integrity,
// ssh_connectivity and guest checks use. It runs on the guest file system
// (guest_fs.go), so what a command writes lands in the disk's bytes.
//
// Grammar: lists joined by `;`, `&&`, `||` and newlines; pipelines with
// `|` and a leading `!`; redirections `<`, `>`, `>>`, `N>`, `N>>`, `2>&1`,
// `>&2`, `&>`; single and double quotes, backslash escapes, a few
// variables ($HOME $USER $PWD $HOSTNAME $?), `*`/`?` globs in the last path
// component, `#` comments. No command substitution, no control flow.
// Messages follow bash and GNU coreutils in the C locale.

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// guestResult is what one shell run did.
type guestResult struct {
	Stdout, Stderr []byte
	Code           int
	Slept          time.Duration // simulated sleep: the process ends this much later
}

// guestExec runs cmdline as root, as `/bin/bash -c cmdline` with stdin.
func guestExec(fs *guestFS, cmdline string, stdin []byte) (stdout, stderr []byte, code int) {
	r := guestRun(fs, "root", cmdline, stdin)
	return r.Stdout, r.Stderr, r.Code
}

// guestRun runs cmdline as user (home directory as the working directory).
func guestRun(fs *guestFS, user, cmdline string, stdin []byte) guestResult {
	return guestRunIn(fs, user, "", cmdline, stdin)
}

// guestRunIn runs cmdline as user in directory cwd ("" for the user's home).
func guestRunIn(fs *guestFS, user, cwd, cmdline string, stdin []byte) guestResult {
	sh := &gshell{fs: fs, user: user, cwd: "/root"}
	if h := guestHome(fs, user); h != "" {
		sh.cwd = h
	}
	if cwd != "" {
		sh.cwd = cleanPath(cwd)
	}
	var out, errb bytes.Buffer
	sh.stdout, sh.stderr = &out, &errb
	toks, err := sh.lex(cmdline)
	if err != nil {
		fmt.Fprintf(&errb, "bash: -c: %v\n", err)
		return guestResult{Stdout: out.Bytes(), Stderr: errb.Bytes(), Code: 2}
	}
	code := sh.runList(toks, stdin)
	return guestResult{Stdout: out.Bytes(), Stderr: errb.Bytes(), Code: code, Slept: sh.slept}
}

type gshell struct {
	fs     *guestFS
	user   string
	cwd    string
	last   int
	slept  time.Duration
	exited bool // `exit` ran
	stdout io.Writer
	stderr io.Writer
}

// ---- lexer

// gLastStatus stands for $? until the command that uses it runs.
const gLastStatus = "\x00?"

type gtok struct {
	op     string // "" for a word
	word   string
	glob   bool // unquoted * or ? in the word
	quoted bool
}

func (sh *gshell) variable(name string) string {
	switch name {
	case "HOME":
		if h := guestHome(sh.fs, sh.user); h != "" {
			return h
		}
		return "/root"
	case "USER", "LOGNAME":
		return sh.user
	case "PWD":
		return sh.cwd
	case "HOSTNAME":
		return guestHostname(sh.fs)
	case "?":
		return gLastStatus // replaced when the command runs
	case "SHELL":
		return "/bin/bash"
	}
	return ""
}

// varAt reads a $NAME, ${NAME} or $? at s[i] (s[i] == '$').
func (sh *gshell) varAt(s string, i int) (string, int) {
	j := i + 1
	if j < len(s) && s[j] == '{' {
		k := strings.IndexByte(s[j:], '}')
		if k > 0 {
			return sh.variable(s[j+1 : j+k]), j + k + 1
		}
	}
	if j < len(s) && s[j] == '?' {
		return sh.variable("?"), j + 1
	}
	k := j
	for k < len(s) && (s[k] == '_' || s[k] >= 'A' && s[k] <= 'Z' || s[k] >= 'a' && s[k] <= 'z' || k > j && s[k] >= '0' && s[k] <= '9') {
		k++
	}
	if k == j {
		return "$", j
	}
	return sh.variable(s[j:k]), k
}

func (sh *gshell) lex(s string) ([]gtok, error) {
	var toks []gtok
	var w strings.Builder
	inWord, glob, quoted := false, false, false
	flush := func() {
		if inWord {
			toks = append(toks, gtok{word: w.String(), glob: glob, quoted: quoted})
		}
		w.Reset()
		inWord, glob, quoted = false, false, false
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			flush()
			i++
		case c == '\n':
			flush()
			toks = append(toks, gtok{op: ";"})
			i++
		case c == '#' && !inWord:
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '\'':
			k := strings.IndexByte(s[i+1:], '\'')
			if k < 0 {
				return nil, errors.New("unexpected EOF while looking for matching `''")
			}
			w.WriteString(s[i+1 : i+1+k])
			inWord, quoted = true, true
			i += k + 2
		case c == '"':
			inWord, quoted = true, true
			i++
			for {
				if i >= len(s) {
					return nil, errors.New("unexpected EOF while looking for matching `\"'")
				}
				if s[i] == '"' {
					i++
					break
				}
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`\n", s[i+1]) >= 0 {
					if s[i+1] != '\n' {
						w.WriteByte(s[i+1])
					}
					i += 2
					continue
				}
				if s[i] == '$' && i+1 < len(s) && s[i+1] == '(' {
					return nil, errors.New("command substitution is not supported by the lab's guest shell")
				}
				if s[i] == '$' {
					v, n := sh.varAt(s, i)
					w.WriteString(v)
					i = n
					continue
				}
				w.WriteByte(s[i])
				i++
			}
		case c == '\\':
			if i+1 < len(s) {
				if s[i+1] != '\n' {
					w.WriteByte(s[i+1])
					inWord = true
				}
				i += 2
			} else {
				i++
			}
		case c == '$' && i+1 < len(s) && s[i+1] == '(' || c == '`':
			return nil, errors.New("command substitution is not supported by the lab's guest shell")
		case c == '$':
			v, n := sh.varAt(s, i)
			w.WriteString(v)
			inWord = true
			i = n
		case c == ';' || c == '|' || c == '&' || c == '<' || c == '>' || c == '(' || c == ')':
			// an all-digit word right before > or < is the fd
			fd := ""
			if (c == '>' || c == '<') && inWord && len(w.String()) == 1 && isDigits(w.String()) && s[i-1] >= '0' && s[i-1] <= '9' {
				fd = w.String()
				w.Reset()
				inWord = false
			}
			flush()
			op, n := lexOp(s[i:])
			toks = append(toks, gtok{op: fd + op})
			i += n
		default:
			if c == '*' || c == '?' {
				glob = true
			}
			w.WriteByte(c)
			inWord = true
			i++
		}
	}
	flush()
	return braces(toks), nil
}

// braces turns the reserved words { and } into group operators where bash
// reads them so: { first in a command, } after a ; or newline.
func braces(toks []gtok) []gtok {
	for i := range toks {
		t := &toks[i]
		if t.op != "" || t.quoted {
			continue
		}
		prev := ""
		if i > 0 {
			prev = toks[i-1].op
			if prev == "" {
				continue
			}
		}
		switch {
		case t.word == "{" && (i == 0 || prev == ";" || prev == "&&" || prev == "||" || prev == "|" || prev == "(" || prev == "{" || prev == "&"):
			t.op = "{"
		case t.word == "}" && (prev == ";" || prev == "&" || prev == "}" || prev == ")"):
			t.op = "}"
		}
	}
	return toks
}

// depth follows ( ) and { } nesting.
func depth(t gtok, d int) int {
	switch t.op {
	case "(", "{":
		return d + 1
	case ")", "}":
		return d - 1
	}
	return d
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func lexOp(s string) (string, int) {
	for _, op := range []string{"&>>", ">&1", ">&2", "&&", "||", ">>", "&>", ";", "|", "&", "<", ">", "(", ")"} {
		if strings.HasPrefix(s, op) {
			return op, len(op)
		}
	}
	return s[:1], 1
}

// ---- lists and pipelines

func (sh *gshell) runList(toks []gtok, stdin []byte) int {
	var cur []gtok
	conn := ";"
	skip := false
	run := func() bool {
		if len(cur) == 0 {
			if conn != ";" {
				fmt.Fprintf(sh.stderr, "bash: -c: line 1: syntax error near unexpected token `%s'\n", conn)
				sh.last = 2
				return false
			}
			return true
		}
		switch {
		case skip:
		case conn == "&&" && sh.last != 0, conn == "||" && sh.last == 0:
		default:
			sh.last = sh.runPipeline(cur, stdin)
		}
		cur, skip = nil, false
		return !sh.exited
	}
	d := 0
	for _, t := range toks {
		d = depth(t, d)
		if d < 0 {
			fmt.Fprintf(sh.stderr, "bash: -c: line 1: syntax error near unexpected token `%s'\n", t.op)
			return 2
		}
		if d > 0 || t.op == ")" || t.op == "}" {
			cur = append(cur, t)
			continue
		}
		switch t.op {
		case ";", "&", "&&", "||":
			if !run() {
				if sh.exited {
					return sh.last
				}
				return 2
			}
			conn = t.op
			if conn == "&" {
				conn = ";"
			}
			continue
		}
		cur = append(cur, t)
	}
	if len(cur) == 0 && conn != ";" {
		fmt.Fprintf(sh.stderr, "bash: -c: line 1: syntax error: unexpected end of file\n")
		return 2
	}
	run()
	return sh.last
}

func (sh *gshell) runPipeline(toks []gtok, stdin []byte) int {
	negate := false
	if len(toks) > 0 && toks[0].op == "" && toks[0].word == "!" && !toks[0].glob {
		negate = true
		toks = toks[1:]
	}
	var stages [][]gtok
	var cur []gtok
	d := 0
	for _, t := range toks {
		d = depth(t, d)
		if t.op == "|" && d == 0 {
			stages = append(stages, cur)
			cur = nil
			continue
		}
		cur = append(cur, t)
	}
	stages = append(stages, cur)
	for _, st := range stages {
		if len(st) == 0 {
			fmt.Fprintf(sh.stderr, "bash: -c: line 1: syntax error near unexpected token `|'\n")
			return 2
		}
	}
	in := stdin
	code := 0
	exited := sh.exited
	defer func() {
		if len(stages) > 1 {
			sh.exited = exited // each stage of a pipeline is a subshell
		}
	}()
	for i, st := range stages {
		var out bytes.Buffer
		w := io.Writer(&out)
		if i == len(stages)-1 {
			w = sh.stdout
		}
		code = sh.runCommand(st, in, w)
		in = out.Bytes()
	}
	if negate {
		if code == 0 {
			return 1
		}
		return 0
	}
	return code
}

// a sink is where an fd writes: the shell's stdout or stderr, a file, or
// nothing (/dev/null).
type gsink struct {
	w    io.Writer
	file string
	buf  bytes.Buffer
}

func (s *gsink) Write(p []byte) (int, error) {
	if s.file != "" {
		return s.buf.Write(p)
	}
	if s.w == nil {
		return len(p), nil
	}
	return s.w.Write(p)
}

func (sh *gshell) abs(p string) string {
	if strings.HasPrefix(p, "/") {
		return path.Clean(p)
	}
	return path.Join(sh.cwd, p)
}

// errText is an error as the C library's strerror says it.
func errText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	var en syscall.Errno
	if errors.As(err, &en) {
		switch en {
		case syscall.ENOENT:
			return "No such file or directory"
		case syscall.EISDIR:
			return "Is a directory"
		case syscall.ENOTDIR:
			return "Not a directory"
		case syscall.EEXIST:
			return "File exists"
		case syscall.ENOSPC:
			return "No space left on device"
		case syscall.ENOTEMPTY:
			return "Directory not empty"
		case syscall.EBUSY:
			return "Device or resource busy"
		case syscall.ENAMETOOLONG:
			return "File name too long"
		case syscall.EACCES:
			return "Permission denied"
		}
	}
	s := err.Error()
	if s != "" {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	return s
}

func (sh *gshell) glob(word string) []string {
	dir, pat := path.Split(word)
	if strings.ContainsAny(dir, "*?") {
		return []string{word}
	}
	d := dir
	if d == "" {
		d = sh.cwd
	}
	list, err := sh.fs.List(sh.abs(d))
	if err != nil {
		return []string{word}
	}
	var out []string
	for _, e := range list {
		if strings.HasPrefix(e.Name, ".") && !strings.HasPrefix(pat, ".") {
			continue
		}
		if ok, _ := path.Match(pat, e.Name); ok {
			out = append(out, dir+e.Name)
		}
	}
	if len(out) == 0 {
		return []string{word}
	}
	sort.Strings(out)
	return out
}

func (sh *gshell) runCommand(toks []gtok, stdin []byte, stdout io.Writer) int {
	out := &gsink{w: stdout}
	errs := &gsink{w: sh.stderr}
	fds := map[int]*gsink{1: out, 2: errs}
	var args []string
	var files []*gsink
	in := stdin
	var group []gtok
	sub := false
	if len(toks) > 0 && (toks[0].op == "(" || toks[0].op == "{") {
		d, j := 0, 0
		for j = 0; j < len(toks); j++ {
			if d = depth(toks[j], d); d == 0 {
				break
			}
		}
		if j >= len(toks) {
			fmt.Fprintf(sh.stderr, "bash: -c: line 1: syntax error: unexpected end of file\n")
			return 2
		}
		group, sub = toks[1:j], toks[0].op == "("
		if !sub && (len(group) == 0 || group[len(group)-1].op != ";" && group[len(group)-1].op != "&") {
			fmt.Fprintf(sh.stderr, "bash: -c: line 1: syntax error near unexpected token `}'\n")
			return 2
		}
		toks = toks[j+1:]
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.op == "" && strings.Contains(t.word, gLastStatus) {
			t.word = strings.ReplaceAll(t.word, gLastStatus, strconv.Itoa(sh.last))
		}
		if t.op == "" {
			if t.glob {
				args = append(args, sh.glob(t.word)...)
			} else {
				args = append(args, t.word)
			}
			continue
		}
		op := t.op
		switch op {
		case "(", ")", "{", "}":
			fmt.Fprintf(sh.stderr, "bash: -c: line 1: syntax error near unexpected token `%s'\n", op)
			return 2
		case ">&1", "1>&1", "2>&1":
			fds[fdOf(op, 1)] = fds[1]
			continue
		case ">&2", "1>&2", "2>&2":
			fds[fdOf(op, 1)] = fds[2]
			continue
		}
		if i+1 >= len(toks) || toks[i+1].op != "" {
			fmt.Fprintf(sh.stderr, "bash: -c: line 1: syntax error near unexpected token `newline'\n")
			return 2
		}
		i++
		target := toks[i].word
		if strings.HasSuffix(op, "<") {
			b, err := sh.readPath(target)
			if err != nil {
				fmt.Fprintf(sh.stderr, "bash: %s: %s\n", target, errText(err))
				return 1
			}
			in = b
			continue
		}
		s, err := sh.openSink(target, strings.HasSuffix(op, ">>"))
		if err != nil {
			fmt.Fprintf(sh.stderr, "bash: %s: %s\n", target, errText(err))
			return 1
		}
		if s.file != "" {
			files = append(files, s)
		}
		if strings.HasPrefix(op, "&") {
			fds[1], fds[2] = s, s
		} else {
			fds[fdOf(op, 1)] = s
		}
	}
	code := 0
	switch {
	case group != nil:
		if len(args) > 0 {
			fmt.Fprintf(sh.stderr, "bash: -c: line 1: syntax error near unexpected token `%s'\n", args[0])
			return 2
		}
		child := &gshell{fs: sh.fs, user: sh.user, cwd: sh.cwd, last: sh.last, stdout: fds[1], stderr: fds[2]}
		code = child.runList(group, in)
		sh.slept += child.slept
		if !sub {
			// { } runs in this shell, ( ) in a subshell
			sh.cwd, sh.exited = child.cwd, child.exited
		}
	case len(args) > 0:
		code = sh.builtin(args, in, fds[1], fds[2])
	}
	for _, f := range files {
		if err := sh.fs.AppendFile(f.file, f.buf.Bytes()); err != nil {
			fmt.Fprintf(sh.stderr, "bash: %s: %s\n", f.file, errText(err))
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}

func fdOf(op string, def int) int {
	if op != "" && op[0] >= '0' && op[0] <= '9' {
		return int(op[0] - '0')
	}
	return def
}

// openSink opens a redirection target: truncated now (as bash does before
// the command runs) unless appending.
func (sh *gshell) openSink(target string, appendTo bool) (*gsink, error) {
	switch target {
	case "/dev/null":
		return &gsink{}, nil
	case "/dev/stdout":
		return &gsink{w: sh.stdout}, nil
	case "/dev/stderr":
		return &gsink{w: sh.stderr}, nil
	}
	p := sh.abs(target)
	if appendTo {
		if err := sh.fs.AppendFile(p, nil); err != nil {
			return nil, err
		}
	} else if err := sh.fs.WriteFile(p, nil, 0644); err != nil {
		return nil, err
	}
	return &gsink{file: p}, nil
}

// readPath reads a file; the endless devices give an error.
func (sh *gshell) readPath(p string) ([]byte, error) {
	switch p {
	case "/dev/null":
		return nil, nil
	case "/dev/urandom", "/dev/random", "/dev/zero":
		return nil, errors.New("endless device: read a bounded amount (head -c, dd count=)")
	}
	return sh.fs.ReadFile(sh.abs(p))
}

// readN reads n bytes of a file or device.
func (sh *gshell) readN(p string, n int64) ([]byte, error) {
	switch p {
	case "/dev/urandom", "/dev/random":
		b := make([]byte, n)
		rand.Read(b)
		return b, nil
	case "/dev/zero":
		return make([]byte, n), nil
	}
	b, err := sh.readPath(p)
	if int64(len(b)) > n {
		b = b[:n]
	}
	return b, err
}

// ---- commands

type gcmd func(sh *gshell, args []string, in []byte, out, errw io.Writer) int

var guestCommands map[string]gcmd

func init() {
	guestCommands = map[string]gcmd{
		"true": func(*gshell, []string, []byte, io.Writer, io.Writer) int { return 0 },
		":":    func(*gshell, []string, []byte, io.Writer, io.Writer) int { return 0 },
		"false": func(*gshell, []string, []byte, io.Writer, io.Writer) int {
			return 1
		},
		"sync": func(*gshell, []string, []byte, io.Writer, io.Writer) int { return 0 },
		"echo": cmdEcho, "printf": cmdPrintf, "cat": cmdCat, "tee": cmdTee,
		"mkdir": cmdMkdir, "rm": cmdRm, "touch": cmdTouch, "cp": cmdCp, "mv": cmdMv,
		"chmod": cmdChmod, "ls": cmdLs, "test": cmdTest, "[": cmdTest,
		"sha256sum": cmdSha256sum, "head": cmdHead, "dd": cmdDd, "wc": cmdWc,
		"hostname": cmdHostname, "uname": cmdUname, "id": cmdID, "whoami": cmdWhoami,
		"sleep": cmdSleep, "ip": cmdIP, "systemctl": cmdSystemctl, "cd": cmdCd,
		"pwd": cmdPwd, "grep": cmdGrep, "stat": cmdStat, "bash": cmdBash, "sh": cmdBash, "exit": cmdExit,
	}
}

func (sh *gshell) builtin(args []string, in []byte, out, errw io.Writer) int {
	name := args[0]
	if i := strings.LastIndexByte(name, '/'); i >= 0 && (strings.HasPrefix(name, "/bin/") || strings.HasPrefix(name, "/usr/bin/") || strings.HasPrefix(name, "/usr/sbin/")) {
		name = name[i+1:]
	}
	f := guestCommands[name]
	if f == nil {
		if strings.Contains(args[0], "/") {
			fmt.Fprintf(errw, "bash: %s: No such file or directory\n", args[0])
		} else {
			fmt.Fprintf(errw, "bash: %s: command not found\n", args[0])
		}
		return 127
	}
	return f(sh, args, in, out, errw)
}

// flags splits leading short options ("-pa" -> p, a) from operands; "--"
// ends them. Long options are kept as they are.
func flags(args []string) (map[string]bool, []string) {
	fl := map[string]bool{}
	i := 1
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		if strings.HasPrefix(a, "--") {
			fl[a] = true
			continue
		}
		for _, c := range a[1:] {
			fl[string(c)] = true
		}
	}
	return fl, args[i:]
}

func cmdEcho(sh *gshell, args []string, in []byte, out, errw io.Writer) int {
	nl, esc := true, false
	i := 1
	for ; i < len(args); i++ {
		a := args[i]
		if len(a) < 2 || a[0] != '-' || strings.Trim(a[1:], "neE") != "" {
			break
		}
		for _, c := range a[1:] {
			switch c {
			case 'n':
				nl = false
			case 'e':
				esc = true
			case 'E':
				esc = false
			}
		}
	}
	s := strings.Join(args[i:], " ")
	if esc {
		s = unescape(s)
	}
	if nl {
		s += "\n"
	}
	io.WriteString(out, s)
	return 0
}

func unescape(s string) string {
	r := strings.NewReplacer(`\\`, `\`, `\n`, "\n", `\t`, "\t", `\r`, "\r", `\a`, "\a", `\0`, "\x00")
	return r.Replace(s)
}

func cmdPrintf(sh *gshell, args []string, in []byte, out, errw io.Writer) int {
	if len(args) < 2 {
		fmt.Fprintln(errw, "printf: usage: printf [-v var] format [arguments]")
		return 2
	}
	format, rest := args[1], args[2:]
	code := 0
	for first := true; first || len(rest) > 0; first = false {
		var b strings.Builder
		used := 0
		for i := 0; i < len(format); i++ {
			c := format[i]
			if c == '\\' && i+1 < len(format) {
				b.WriteString(unescape(format[i : i+2]))
				i++
				continue
			}
			if c != '%' || i+1 >= len(format) {
				b.WriteByte(c)
				continue
			}
			j := i + 1
			for j < len(format) && strings.IndexByte("-+ #0123456789.", format[j]) >= 0 {
				j++
			}
			if j >= len(format) {
				b.WriteString(format[i:])
				break
			}
			spec, verb := format[i+1:j], format[j]
			i = j
			if verb == '%' {
				b.WriteByte('%')
				continue
			}
			arg := ""
			if used < len(rest) {
				arg = rest[used]
			}
			used++
			switch verb {
			case 's':
				fmt.Fprintf(&b, "%"+spec+"s", arg)
			case 'b':
				b.WriteString(unescape(arg))
			case 'd', 'i', 'x', 'X', 'o', 'u':
				n := int64(0)
				if arg != "" {
					var err error
					if n, err = strconv.ParseInt(arg, 0, 64); err != nil {
						fmt.Fprintf(errw, "bash: printf: %s: invalid number\n", arg)
						code = 1
					}
				}
				v := verb
				if v == 'i' || v == 'u' {
					v = 'd'
				}
				fmt.Fprintf(&b, "%"+spec+string(v), n)
			default:
				b.WriteString("%" + spec + string(verb))
			}
		}
		io.WriteString(out, b.String())
		if used == 0 || used >= len(rest) {
			break
		}
		rest = rest[used:]
	}
	return code
}

func cmdCat(sh *gshell, args []string, in []byte, out, errw io.Writer) int {
	_, files := flags(args)
	if len(files) == 0 {
		out.Write(in)
		return 0
	}
	code := 0
	for _, f := range files {
		if f == "-" {
			out.Write(in)
			continue
		}
		b, err := sh.readPath(f)
		if err != nil {
			fmt.Fprintf(errw, "cat: %s: %s\n", f, errText(err))
			code = 1
			continue
		}
		out.Write(b)
	}
	return code
}

func cmdTee(sh *gshell, args []string, in []byte, out, errw io.Writer) int {
	fl, files := flags(args)
	code := 0
	for _, f := range files {
		var err error
		if f == "/dev/null" {
			continue
		}
		if fl["a"] || fl["--append"] {
			err = sh.fs.AppendFile(sh.abs(f), in)
		} else {
			err = sh.fs.WriteFile(sh.abs(f), in, 0644)
		}
		if err != nil {
			fmt.Fprintf(errw, "tee: %s: %s\n", f, errText(err))
			code = 1
		}
	}
	out.Write(in)
	return code
}

func cmdMkdir(sh *gshell, args []string, in []byte, out, errw io.Writer) int {
	var dirs []string
	parents := false
	mode := uint32(0755)
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-p" || a == "--parents":
			parents = true
		case a == "-m" && i+1 < len(args):
			m, _ := strconv.ParseUint(args[i+1], 8, 32)
			mode = uint32(m)
			i++
		case a == "-pm" || a == "-mp":
			parents = true
			if i+1 < len(args) {
				m, _ := strconv.ParseUint(args[i+1], 8, 32)
				mode = uint32(m)
				i++
			}
		default:
			dirs = append(dirs, a)
		}
	}
	if len(dirs) == 0 {
		fmt.Fprintln(errw, "mkdir: missing operand")
		return 1
	}
	code := 0
	for _, d := range dirs {
		var err error
		if parents {
			err = sh.fs.MkdirAll(sh.abs(d), mode)
		} else {
			err = sh.fs.Mkdir(sh.abs(d), mode)
		}
		if err != nil {
			fmt.Fprintf(errw, "mkdir: cannot create directory '%s': %s\n", d, errText(err))
			code = 1
		}
	}
	return code
}

func cmdRm(sh *gshell, args []string, in []byte, out, errw io.Writer) int {
	fl, files := flags(args)
	force, rec := fl["f"] || fl["--force"], fl["r"] || fl["R"] || fl["--recursive"]
	if len(files) == 0 && !force {
		fmt.Fprintln(errw, "rm: missing operand")
		return 1
	}
	code := 0
	for _, f := range files {
		p := sh.abs(f)
		st, err := sh.fs.Stat(p)
		if err != nil {
			if !force {
				fmt.Fprintf(errw, "rm: cannot remove '%s': %s\n", f, errText(err))
				code = 1
			}
			continue
		}
		if st.Dir && !rec {
			fmt.Fprintf(errw, "rm: cannot remove '%s': Is a directory\n", f)
			code = 1
			continue
		}
		if rec {
			err = sh.fs.RemoveAll(p)
		} else {
			err = sh.fs.Remove(p)
		}
		if err != nil {
			fmt.Fprintf(errw, "rm: cannot remove '%s': %s\n", f, errText(err))
			code = 1
		}
	}
	return code
}

func cmdTouch(sh *gshell, args []string, in []byte, out, errw io.Writer) int {
	_, files := flags(args)
	code := 0
	for _, f := range files {
		if err := sh.fs.AppendFile(sh.abs(f), nil); err != nil {
			fmt.Fprintf(errw, "touch: cannot touch '%s': %s\n", f, errText(err))
			code = 1
		}
	}
	return code
}

func (sh *gshell) copyFile(name, src, dst string, errw io.Writer) bool {
	b, err := sh.fs.ReadFile(sh.abs(src))
	if err != nil {
		fmt.Fprintf(errw, "%s: cannot stat '%s': %s\n", name, src, errText(err))
		return false
	}
	st, _ := sh.fs.Stat(sh.abs(src))
	to := sh.abs(dst)
	if d, err := sh.fs.Stat(to); err == nil && d.Dir {
		to = path.Join(to, path.Base(src))
	}
	if err := sh.fs.WriteFile(to, b, st.Mode); err != nil {
		fmt.Fprintf(errw, "%s: cannot create regular file '%s': %s\n", name, dst, errText(err))
		return false
	}
	return true
}

func cmdCp(sh *gshell, args []string, in []byte, out, errw io.Writer) int {
	_, files := flags(args)
	if len(files) != 2 {
		fmt.Fprintln(errw, "cp: the lab's guest copies one file to one target")
		return 1
	}
	if !sh.copyFile("cp", files[0], files[1], errw) {
		return 1
	}
	return 0
}

func cmdMv(sh *gshell, args []string, in []byte, out, errw io.Writer) int {
	_, files := flags(args)
	if len(files) != 2 {
		fmt.Fprintln(errw, "mv: the lab's guest moves one file to one target")
		return 1
	}
	if !sh.copyFile("mv", files[0], files[1], errw) {
		return 1
	}
	sh.fs.Remove(sh.abs(files[0]))
	return 0
}

func cmdChmod(sh *gshell, args []string, in []byte, out, errw io.Writer) int {
	// modes are kept as created; chmod checks that the files exist
	_, files := flags(args)
	if len(files) < 2 {
		fmt.Fprintln(errw, "chmod: missing operand")
		return 1
	}
	code := 0
	for _, f := range files[1:] {
		if _, err := sh.fs.Stat(sh.abs(f)); err != nil {
			fmt.Fprintf(errw, "chmod: cannot access '%s': %s\n", f, errText(err))
			code = 1
		}
	}
	return code
}

func modeString(st guestFileInfo) string {
	b := []byte("-rwxrwxrwx")
	if st.Dir {
		b[0] = 'd'
	}
	for i := 0; i < 9; i++ {
		if st.Mode&(1<<uint(8-i)) == 0 {
			b[i+1] = '-'
		}
	}
	return string(b)
}

func cmdLs(sh *gshell, args []string, in []byte, out, errw io.Writer) int {
	fl, files := flags(args)
	if len(files) == 0 {
		files = []string{"."}
	}
	code := 0
	line := func(st guestFileInfo, name string) {
		if fl["l"] {
			fmt.Fprintf(out, "%s 1 root root %d %s %s\n", modeString(st), st.Size,
				st.MTime.UTC().Format("Jan _2 15:04"), name)
		} else {
			fmt.Fprintln(out, name)
		}
	}
	for n, f := range files {
		st, err := sh.fs.Stat(sh.abs(f))
		if err != nil {
			fmt.Fprintf(errw, "ls: cannot access '%s': %s\n", f, errText(err))
			code = 2
			continue
		}
		if !st.Dir || fl["d"] {
			line(st, f)
			continue
		}
		if len(files) > 1 {
			if n > 0 {
				fmt.Fprintln(out)
			}
			fmt.Fprintf(out, "%s:\n", f)
		}
		list, err := sh.fs.List(sh.abs(f))
		if err != nil {
			fmt.Fprintf(errw, "ls: cannot open directory '%s': %s\n", f, errText(err))
			code = 2
			continue
		}
		if fl["l"] {
			fmt.Fprintf(out, "total %d\n", len(list)*4)
		}
		for _, e := range list {
			if strings.HasPrefix(e.Name, ".") && !fl["a"] && !fl["A"] {
				continue
			}
			line(e, e.Name)
		}
	}
	return code
}

func cmdTest(sh *gshell, args []string, in []byte, out, errw io.Writer) int {
	a := args[1:]
	if args[0] == "[" {
		if len(a) == 0 || a[len(a)-1] != "]" {
			fmt.Fprintln(errw, "bash: [: missing `]'")
			return 2
		}
		a = a[:len(a)-1]
	}
	neg := false
	if len(a) > 0 && a[0] == "!" {
		neg, a = true, a[1:]
	}
	res, ok := false, true
	switch len(a) {
	case 0:
	case 1:
		res = a[0] != ""
	case 2:
		st, err := sh.fs.Stat(sh.abs(a[1]))
		switch a[0] {
		case "-e":
			res = err == nil
		case "-f":
			res = err == nil && !st.Dir
		case "-d":
			res = err == nil && st.Dir
		case "-s":
			res = err == nil && st.Size > 0
		case "-r", "-w":
			res = err == nil
		case "-x":
			res = err == nil && (st.Dir || st.Mode&0111 != 0)
		case "-n":
			res = a[1] != ""
		case "-z":
			res = a[1] == ""
		default:
			ok = false
		}
	case 3:
		x, y := a[0], a[2]
		xi, e1 := strconv.ParseInt(x, 10, 64)
		yi, e2 := strconv.ParseInt(y, 10, 64)
		num := e1 == nil && e2 == nil
		switch a[1] {
		case "=", "==":
			res = x == y
		case "!=":
			res = x != y
		case "-eq":
			res, ok = num && xi == yi, num
		case "-ne":
			res, ok = num && xi != yi, num
		case "-lt":
			res, ok = num && xi < yi, num
		case "-le":
			res, ok = num && xi <= yi, num
		case "-gt":
			res, ok = num && xi > yi, num
		case "-ge":
			res, ok = num && xi >= yi, num
		default:
			ok = false
		}
	default:
		ok = false
	}
	if !ok {
		fmt.Fprintf(errw, "bash: %s: unsupported expression\n", args[0])
		return 2
	}
	if res != neg {
		return 0
	}
	return 1
}

func cmdSha256sum(sh *gshell, args []string, in []byte, out, errw io.Writer) int {
	fl, files := flags(args)
	if len(files) == 0 {
		files = []string{"-"}
	}
	if fl["c"] || fl["--check"] {
		return sh.sha256check(fl, files, in, out, errw)
	}
	code := 0
	for _, f := range files {
		var b []byte
		var err error
		if f == "-" {
			b = in
		} else {
			b, err = sh.readPath(f)
		}
		if err != nil {
			fmt.Fprintf(errw, "sha256sum: %s: %s\n", f, errText(err))
			code = 1
			continue
		}
		sum := sha256.Sum256(b)
		fmt.Fprintf(out, "%s  %s\n", hex.EncodeToString(sum[:]), f)
	}
	return code
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (sh *gshell) sha256check(fl map[string]bool, files []string, in []byte, out, errw io.Writer) int {
	quiet, status := fl["--quiet"], fl["--status"]
	code := 0
	for _, list := range files {
		var b []byte
		var err error
		if list == "-" {
			b = in
		} else {
			b, err = sh.readPath(list)
		}
		if err != nil {
			fmt.Fprintf(errw, "sha256sum: %s: %s\n", list, errText(err))
			code = 1
			continue
		}
		good, bad, unread, malformed := 0, 0, 0, 0
		for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
			if l == "" {
				continue
			}
			if len(l) < 66 || l[64] != ' ' || (l[65] != ' ' && l[65] != '*') {
				malformed++
				continue
			}
			want, name := strings.ToLower(l[:64]), l[66:]
			if _, err := hex.DecodeString(want); err != nil {
				malformed++
				continue
			}
			good++
			data, err := sh.readPath(name)
			if err != nil {
				if !status {
					fmt.Fprintf(errw, "sha256sum: %s: %s\n", name, errText(err))
					fmt.Fprintf(out, "%s: FAILED open or read\n", name)
				}
				unread++
				continue
			}
			sum := sha256.Sum256(data)
			if hex.EncodeToString(sum[:]) != want {
				bad++
				if !status {
					fmt.Fprintf(out, "%s: FAILED\n", name)
				}
			} else if !quiet && !status {
				fmt.Fprintf(out, "%s: OK\n", name)
			}
		}
		if good == 0 {
			fmt.Fprintf(errw, "sha256sum: %s: no properly formatted SHA256 checksum lines found\n", list)
			code = 1
			continue
		}
		if !status {
			if malformed > 0 {
				fmt.Fprintf(errw, "sha256sum: WARNING: %d %s improperly formatted\n", malformed, plural(malformed, "line is", "lines are"))
			}
			if unread > 0 {
				fmt.Fprintf(errw, "sha256sum: WARNING: %d listed %s could not be read\n", unread, plural(unread, "file", "files"))
			}
			if bad > 0 {
				fmt.Fprintf(errw, "sha256sum: WARNING: %d computed %s did NOT match\n", bad, plural(bad, "checksum", "checksums"))
			}
		}
		if bad > 0 || unread > 0 {
			code = 1
		}
	}
	return code
}

// parseSize reads coreutils sizes: 512, 4K, 1M, 2KB (=2000), 1MiB, ...
func parseSize(s string) (int64, bool) {
	units := []struct {
		suf string
		m   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"kB", 1000}, {"KB", 1000}, {"MB", 1000000},
		{"GB", 1000000000}, {"K", 1 << 10}, {"k", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"c", 1}, {"w", 2}, {"b", 512}}
	m := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suf) {
			s, m = strings.TrimSuffix(s, u.suf), u.m
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return n * m, true
}

// guestMaxRead bounds what one command may read from an endless device.
const guestMaxRead = 256 << 20

func cmdHead(sh *gshell, args []string, in []byte, out, errw io.Writer) int {
	var files []string
	byBytes, n := false, int64(10)
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case (a == "-c" || a == "-n") && i+1 < len(args):
			v, ok := parseSize(args[i+1])
			if !ok {
				fmt.Fprintf(errw, "head: invalid number of %s: '%s'\n", map[bool]string{true: "bytes", false: "lines"}[a == "-c"], args[i+1])
				return 1
			}
			byBytes, n = a == "-c", v
			i++
		case strings.HasPrefix(a, "-c") && len(a) > 2, strings.HasPrefix(a, "-n") && len(a) > 2:
			v, ok := parseSize(a[2:])
			if !ok {
				fmt.Fprintf(errw, "head: invalid number: '%s'\n", a[2:])
				return 1
			}
			byBytes, n = a[1] == 'c', v
		case len(a) > 1 && a[0] == '-' && isDigits(a[1:]):
			n, _ = strconv.ParseInt(a[1:], 10, 64)
		default:
			files = append(files, a)
		}
	}
	if byBytes && n > guestMaxRead {
		fmt.Fprintf(errw, "head: the lab's guest reads at most %d bytes at once\n", guestMaxRead)
		return 1
	}
	if len(files) == 0 {
		files = []string{"-"}
	}
	code := 0
	for _, f := range files {
		var b []byte
		var err error
		switch {
		case f == "-":
			b = in
		case byBytes:
			b, err = sh.readN(f, n)
		default:
			b, err = sh.readPath(f)
		}
		if err != nil {
			fmt.Fprintf(errw, "head: cannot open '%s' for reading: %s\n", f, errText(err))
			code = 1
			continue
		}
		if byBytes {
			if int64(len(b)) > n {
				b = b[:n]
			}
		} else {
			lines := int64(0)
			for i, c := range b {
				if c == '\n' {
					lines++
					if lines == n {
						b = b[:i+1]
						break
					}
				}
			}
		}
		out.Write(b)
	}
	return code
}

func cmdDd(sh *gshell, args []string, in []byte, out, errw io.Writer) int {
	opt := map[string]string{"bs": "512"}
	for _, a := range args[1:] {
		k := strings.SplitN(a, "=", 2)
		if len(k) != 2 {
			fmt.Fprintf(errw, "dd: unrecognized operand '%s'\n", a)
			return 1
		}
		opt[k[0]] = k[1]
	}
	bs, ok := parseSize(opt["bs"])
	if !ok || bs == 0 {
		fmt.Fprintf(errw, "dd: invalid number: '%s'\n", opt["bs"])
		return 1
	}
	count := int64(-1)
	if c, set := opt["count"]; set {
		if count, ok = parseSize(c); !ok {
			fmt.Fprintf(errw, "dd: invalid number: '%s'\n", c)
			return 1
		}
	}
	var data []byte
	var err error
	src := opt["if"]
	switch {
	case src == "":
		data = in
	case count < 0 && (src == "/dev/urandom" || src == "/dev/zero" || src == "/dev/random"):
		fmt.Fprintln(errw, "dd: the lab's guest needs count= to read an endless device")
		return 1
	case count >= 0:
		if bs*count > guestMaxRead {
			fmt.Fprintf(errw, "dd: the lab's guest reads at most %d bytes at once\n", guestMaxRead)
			return 1
		}
		data, err = sh.readN(src, bs*count)
	default:
		data, err = sh.readPath(src)
	}
	if err != nil {
		fmt.Fprintf(errw, "dd: failed to open '%s': %s\n", src, errText(err))
		return 1
	}
	if count >= 0 && int64(len(data)) > bs*count {
		data = data[:bs*count]
	}
	if dst := opt["of"]; dst != "" {
		if err := sh.fs.WriteFile(sh.abs(dst), data, 0644); err != nil {
			fmt.Fprintf(errw, "dd: failed to open '%s': %s\n", dst, errText(err))
			return 1
		}
	} else {
		out.Write(data)
	}
	if opt["status"] != "none" {
		n := int64(len(data))
		full, part := n/bs, int64(0)
		if n%bs != 0 {
			part = 1
		}
		fmt.Fprintf(errw, "%d+%d records in\n%d+%d records out\n", full, part, full, part)
		fmt.Fprintf(errw, "%d bytes (%s, %s) copied, 0.0100 s, %s/s\n", n,
			humanSize(n, 1000, "B"), humanSize(n, 1024, "iB"), humanSize(n*100, 1000, "B"))
	}
	return 0
}

func humanSize(n int64, base float64, suf string) string {
	v := float64(n)
	units := []string{"", "k", "M", "G", "T"}
	if base == 1024 {
		units = []string{"", "K", "M", "G", "T"}
	}
	i := 0
	for v >= base && i < len(units)-1 {
		v /= base
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%.1f %s%s", v, units[i], suf)
}

func cmdWc(sh *gshell, args []string, in []byte, out, errw io.Writer) int {
	fl, files := flags(args)
	if !fl["c"] && !fl["l"] && !fl["w"] {
		fl["l"], fl["w"], fl["c"] = true, true, true
	}
	count := func(b []byte, name string) {
		var f []string
		if fl["l"] {
			f = append(f, strconv.Itoa(bytes.Count(b, []byte("\n"))))
		}
		if fl["w"] {
			f = append(f, strconv.Itoa(len(bytes.Fields(b))))
		}
		if fl["c"] {
			f = append(f, strconv.Itoa(len(b)))
		}
		if name != "" {
			f = append(f, name)
		}
		fmt.Fprintln(out, strings.Join(f, " "))
	}
	if len(files) == 0 {
		count(in, "")
		return 0
	}
	code := 0
	for _, f := range files {
		b, err := sh.readPath(f)
		if err != nil {
			fmt.Fprintf(errw, "wc: %s: %s\n", f, errText(err))
			code = 1
			continue
		}
		count(b, f)
	}
	return code
}

func cmdGrep(sh *gshell, args []string, in []byte, out, errw io.Writer) int {
	// fixed strings only: grep [-q] [-c] [-F] [-i] [-v] PATTERN [FILE...]
	fl, rest := flags(args)
	if len(rest) == 0 {
		fmt.Fprintln(errw, "Usage: grep [OPTION]... PATTERNS [FILE]...")
		return 2
	}
	pat, files := rest[0], rest[1:]
	if fl["i"] {
		pat = strings.ToLower(pat)
	}
	if len(files) == 0 {
		files = []string{"-"}
	}
	matches, code := 0, 0
	for _, f := range files {
		b := in
		if f != "-" {
			var err error
			if b, err = sh.readPath(f); err != nil {
				fmt.Fprintf(errw, "grep: %s: %s\n", f, errText(err))
				code = 2
				continue
			}
		}
		for _, l := range strings.SplitAfter(string(b), "\n") {
			if l == "" {
				continue
			}
			s := strings.TrimSuffix(l, "\n")
			if fl["i"] {
				s = strings.ToLower(s)
			}
			if strings.Contains(s, pat) != fl["v"] {
				matches++
				if !fl["q"] && !fl["c"] {
					if len(files) > 1 {
						io.WriteString(out, f+":")
					}
					io.WriteString(out, strings.TrimSuffix(l, "\n")+"\n")
				}
			}
		}
	}
	if fl["c"] {
		fmt.Fprintln(out, matches)
	}
	if code != 0 && !(fl["q"] && matches > 0) {
		return code
	}
	if matches > 0 {
		return 0
	}
	return 1
}

func cmdStat(sh *gshell, args []string, in []byte, out, errw io.Writer) int {
	// stat -c %s FILE (size) and plain stat
	var format string
	var files []string
	for i := 1; i < len(args); i++ {
		if (args[i] == "-c" || args[i] == "--format") && i+1 < len(args) {
			format = args[i+1]
			i++
			continue
		}
		files = append(files, args[i])
	}
	code := 0
	for _, f := range files {
		st, err := sh.fs.Stat(sh.abs(f))
		if err != nil {
			fmt.Fprintf(errw, "stat: cannot statx '%s': %s\n", f, errText(err))
			code = 1
			continue
		}
		if format == "" {
			fmt.Fprintf(out, "  File: %s\n  Size: %d\n", f, st.Size)
			continue
		}
		r := strings.NewReplacer("%s", strconv.FormatInt(st.Size, 10), "%n", f,
			"%a", strconv.FormatUint(uint64(st.Mode), 8), "%Y", strconv.FormatInt(st.MTime.Unix(), 10))
		fmt.Fprintln(out, r.Replace(format))
	}
	return code
}

func cmdHostname(sh *gshell, args []string, in []byte, out, errw io.Writer) int {
	fmt.Fprintln(out, guestHostname(sh.fs))
	return 0
}

const guestKernel = "5.14.0-427.13.1.el9_4.x86_64"

func cmdUname(sh *gshell, args []string, in []byte, out, errw io.Writer) int {
	fl, _ := flags(args)
	host := guestHostname(sh.fs)
	all := []struct {
		f, v string
	}{{"s", "Linux"}, {"n", host}, {"r", guestKernel}, {"v", "#1 SMP PREEMPT_DYNAMIC Wed Apr 24 00:00:00 UTC 2024"},
		{"m", "x86_64"}, {"p", "x86_64"}, {"i", "x86_64"}, {"o", "GNU/Linux"}}
	var f []string
	for _, a := range all {
		if fl["a"] || fl[a.f] {
			f = append(f, a.v)
		}
	}
	if len(f) == 0 {
		f = []string{"Linux"}
	}
	fmt.Fprintln(out, strings.Join(f, " "))
	return 0
}

func cmdID(sh *gshell, args []string, in []byte, out, errw io.Writer) int {
	fl, _ := flags(args)
	uid := guestUserID(sh.fs, sh.user)
	if uid < 0 {
		uid = 0
	}
	switch {
	case fl["u"] && fl["n"], fl["g"] && fl["n"]:
		fmt.Fprintln(out, sh.user)
	case fl["u"], fl["g"]:
		fmt.Fprintln(out, uid)
	default:
		fmt.Fprintf(out, "uid=%d(%s) gid=%d(%s) groups=%d(%s)\n", uid, sh.user, uid, sh.user, uid, sh.user)
	}
	return 0
}

func cmdWhoami(sh *gshell, args []string, in []byte, out, errw io.Writer) int {
	fmt.Fprintln(out, sh.user)
	return 0
}

// guestMaxSleep: sleep does not block; the process is reported running this
// much longer at most (Guest Operations' ListProcessesInGuest).
const guestMaxSleep = 30 * time.Second

func cmdSleep(sh *gshell, args []string, in []byte, out, errw io.Writer) int {
	if len(args) < 2 {
		fmt.Fprintln(errw, "sleep: missing operand")
		return 1
	}
	for _, a := range args[1:] {
		m := time.Second
		switch {
		case strings.HasSuffix(a, "s"):
			a = strings.TrimSuffix(a, "s")
		case strings.HasSuffix(a, "m"):
			a, m = strings.TrimSuffix(a, "m"), time.Minute
		}
		v, err := strconv.ParseFloat(a, 64)
		if err != nil || v < 0 {
			fmt.Fprintf(errw, "sleep: invalid time interval '%s'\n", a)
			return 1
		}
		sh.slept += time.Duration(v * float64(m))
	}
	if sh.slept > guestMaxSleep {
		sh.slept = guestMaxSleep
	}
	return 0
}

func cmdIP(sh *gshell, args []string, in []byte, out, errw io.Writer) int {
	oneline := false
	var rest []string
	for _, a := range args[1:] {
		if a == "-o" || a == "-oneline" || a == "--oneline" {
			oneline = true
			continue
		}
		rest = append(rest, a)
	}
	if len(rest) == 0 {
		fmt.Fprintln(errw, "Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }")
		return 255
	}
	sep, asep := "\n    ", "\n"
	if oneline {
		sep, asep = "\\    ", "\\"
	}
	nics := append([]guestNIC{{Name: "lo", MAC: "00:00:00:00:00:00", IPs: []string{"127.0.0.1/8"}}}, sh.fs.Run.NICs...)
	switch rest[0] {
	case "link", "l", "li":
		for i, n := range nics {
			if n.Name == "lo" {
				fmt.Fprintf(out, "%d: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000%slink/loopback %s brd 00:00:00:00:00:00\n", i+1, sep, n.MAC)
				continue
			}
			fmt.Fprintf(out, "%d: %s: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP mode DEFAULT group default qlen 1000%slink/ether %s brd ff:ff:ff:ff:ff:ff\n", i+1, n.Name, sep, strings.ToLower(n.MAC))
		}
	case "addr", "a", "address":
		for i, n := range nics {
			for _, ip := range n.IPs {
				fam := "inet"
				if strings.Contains(ip, ":") {
					fam = "inet6"
				}
				if !strings.Contains(ip, "/") {
					ip += "/24"
				}
				scope := "global dynamic"
				if n.Name == "lo" {
					scope = "host"
				}
				fmt.Fprintf(out, "%d: %s    %s %s scope %s %s%s       valid_lft forever preferred_lft forever\n", i+1, n.Name, fam, ip, scope, n.Name, asep)
			}
		}
	default:
		fmt.Fprintf(errw, "Object \"%s\" is unknown, try \"ip help\".\n", rest[0])
		return 1
	}
	return 0
}

// guestUnitActive says whether a systemd unit runs in the guest: sshd
// always; VMware Tools on VMware; qemu-guest-agent on KVM unless its agent
// is down (the unit's condition on the virtio-serial port fails elsewhere).
func guestUnitActive(run guestRuntime, unit string) bool {
	unit = strings.TrimSuffix(unit, ".service")
	switch unit {
	case "sshd", "ssh", "systemd-journald", "crond", "NetworkManager", "cloud-init":
		return true
	case "qemu-guest-agent":
		return run.Hypervisor == "kvm" && !run.AgentDown
	case "vmtoolsd", "open-vm-tools", "vmware-tools":
		return run.Hypervisor == "vmware"
	}
	return false
}

func cmdSystemctl(sh *gshell, args []string, in []byte, out, errw io.Writer) int {
	fl, rest := flags(args)
	if len(rest) == 0 || rest[0] != "is-active" {
		fmt.Fprintln(errw, "systemctl: the lab's guest knows only is-active")
		return 1
	}
	code := 0
	for _, u := range rest[1:] {
		if guestUnitActive(sh.fs.Run, u) {
			if !fl["q"] && !fl["--quiet"] {
				fmt.Fprintln(out, "active")
			}
			continue
		}
		if !fl["q"] && !fl["--quiet"] {
			fmt.Fprintln(out, "inactive")
		}
		code = 3
	}
	return code
}

func cmdCd(sh *gshell, args []string, in []byte, out, errw io.Writer) int {
	dir := sh.variable("HOME")
	if len(args) > 1 {
		dir = args[1]
	}
	st, err := sh.fs.Stat(sh.abs(dir))
	if err != nil {
		fmt.Fprintf(errw, "bash: cd: %s: %s\n", dir, errText(err))
		return 1
	}
	if !st.Dir {
		fmt.Fprintf(errw, "bash: cd: %s: Not a directory\n", dir)
		return 1
	}
	sh.cwd = sh.abs(dir)
	return 0
}

func cmdPwd(sh *gshell, args []string, in []byte, out, errw io.Writer) int {
	fmt.Fprintln(out, sh.cwd)
	return 0
}

// cmdBash runs `bash -c CMD`, `bash SCRIPT` (a file on the guest's disk)
// or a script on stdin, in a child shell that shares the working directory.
func cmdBash(sh *gshell, args []string, in []byte, out, errw io.Writer) int {
	var script string
	have := false
	stdin := in
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-c":
			if i+1 >= len(args) {
				fmt.Fprintf(errw, "%s: -c: option requires an argument\n", args[0])
				return 2
			}
			script, have = args[i+1], true
			i = len(args)
		case a == "-o" || a == "+o":
			i++ // set options (pipefail, ...) are accepted and ignored
		case strings.HasPrefix(a, "-") || strings.HasPrefix(a, "+"):
			// -l, -e, -x, --login, --norc: accepted and ignored
		default:
			b, err := sh.readPath(a)
			if err != nil {
				fmt.Fprintf(errw, "%s: %s: %s\n", args[0], a, errText(err))
				return 127
			}
			script, have = string(b), true
			i = len(args)
		}
	}
	if !have {
		script, stdin = string(in), nil
	}
	sub := &gshell{fs: sh.fs, user: sh.user, cwd: sh.cwd, stdout: out, stderr: errw}
	toks, err := sub.lex(script)
	if err != nil {
		fmt.Fprintf(errw, "bash: -c: %v\n", err)
		return 2
	}
	code := sub.runList(toks, stdin)
	sh.slept += sub.slept
	return code
}

func cmdExit(sh *gshell, args []string, in []byte, out, errw io.Writer) int {
	sh.exited = true
	if len(args) > 1 {
		n, err := strconv.Atoi(args[1])
		if err != nil {
			fmt.Fprintf(errw, "bash: exit: %s: numeric argument required\n", args[1])
			return 2
		}
		return n & 0xff
	}
	return sh.last
}
