// check-live-node.go audits a running consent-node over HTTPS with the Go
// reference golang.org/x/mod/sumdb/note and sumdb/tlog, as any tile client
// would: it opens /log/checkpoint with the log's verifier key, recomputes
// the checkpoint's root from the node's tiles (tlog.TileHashReader and
// tlog.TreeHash), checks the entry bundles against the transactions that
// live-node.c submitted, checks inclusion proofs from
// /v1/log/proof/inclusion with tlog.CheckRecord and consistency proofs from
// /v1/log/proof/consistency with tlog.CheckTree, and checks the node's
// tlog-proof receipts. The node's certificate file is the only trust anchor;
// only 127.0.0.1 is ever contacted.
// Usage: go run check-live-node.go DIR (GOPATH mode). Exits non-zero on any
// mismatch.
package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const height = 8

var failures int

func fail(format string, args ...interface{}) {
	failures++
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "FATAL:", err)
		os.Exit(1)
	}
}

type node struct {
	base   string
	client *http.Client
}

func newNode(base, certFile string) *node {
	u, err := url.Parse(base)
	must(err)
	if u.Scheme != "https" || u.Hostname() != "127.0.0.1" {
		must(fmt.Errorf("refusing to talk to %q: loopback HTTPS only", base))
	}
	pem, err := os.ReadFile(certFile)
	must(err)
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		must(fmt.Errorf("no certificate in %s", certFile))
	}
	transport := &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		Proxy:           nil,
	}
	return &node{base: base, client: &http.Client{Transport: transport, Timeout: 60 * time.Second}}
}

func (n *node) get(path string) (int, []byte) {
	resp, err := n.client.Get(n.base + path)
	must(err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	must(err)
	return resp.StatusCode, body
}

func (n *node) mustGet(path string) []byte {
	status, body := n.get(path)
	if status != http.StatusOK {
		must(fmt.Errorf("GET %s: HTTP %d: %s", path, status, body))
	}
	return body
}

// Our layout drops Go's height element: tile/<L>/<N>, tile/entries/<N>.
func ourPath(t tlog.Tile) string {
	p := strings.TrimPrefix(t.Path(), fmt.Sprintf("tile/%d/", height))
	if strings.HasPrefix(p, "data/") {
		return "/log/tile/entries/" + strings.TrimPrefix(p, "data/")
	}
	return "/log/tile/" + p
}

// tileReader reads tiles from the node over HTTPS, each once.
type tileReader struct {
	n     *node
	reads int
	cache map[string][]byte
}

func (r *tileReader) Height() int { return height }

func (r *tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		if data, ok := r.cache[ourPath(t)]; ok {
			out[i] = data
			continue
		}
		status, body := r.n.get(ourPath(t))
		if status != http.StatusOK {
			return nil, fmt.Errorf("GET %s: HTTP %d", ourPath(t), status)
		}
		r.reads++
		r.cache[ourPath(t)] = body
		out[i] = body
	}
	return out, nil
}

func (r *tileReader) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

type checkpoint struct {
	origin string
	size   int64
	root   tlog.Hash
}

// openCheckpoint opens a checkpoint note with the log key and parses the
// c2sp.org/tlog-checkpoint text.
func openCheckpoint(msg []byte, verifiers note.Verifiers, origin string) (checkpoint, bool) {
	var c checkpoint
	n, err := note.Open(msg, verifiers)
	if err != nil {
		fail("note.Open: %v\n%s", err, msg)
		return c, false
	}
	if len(n.Sigs) != 1 || n.Sigs[0].Name != origin {
		fail("checkpoint not signed by exactly the log key: %+v", n.Sigs)
		return c, false
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		fail("checkpoint text %q is not origin, size, root", n.Text)
		return c, false
	}
	c.origin = lines[0]
	c.size, err = strconv.ParseInt(lines[1], 10, 64)
	if err != nil || c.size < 0 || strconv.FormatInt(c.size, 10) != lines[1] {
		fail("checkpoint size %q", lines[1])
		return c, false
	}
	c.root, err = tlog.ParseHash(lines[2])
	if err != nil {
		fail("checkpoint root %q: %v", lines[2], err)
		return c, false
	}
	if c.origin != origin {
		fail("checkpoint origin %q, expected %q", c.origin, origin)
		return c, false
	}
	return c, true
}

func readInfo(dir string) map[string]string {
	f, err := os.Open(filepath.Join(dir, "node.txt"))
	must(err)
	defer f.Close()
	info := map[string]string{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), " ")
		if !ok {
			must(fmt.Errorf("bad node.txt line %q", s.Text()))
		}
		info[k] = v
	}
	must(s.Err())
	return info
}

func readIDs(dir string) map[int64][]byte {
	f, err := os.Open(filepath.Join(dir, "ids.txt"))
	must(err)
	defer f.Close()
	ids := map[int64][]byte{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), " ")
		if !ok {
			must(fmt.Errorf("bad ids.txt line %q", s.Text()))
		}
		i, err := strconv.ParseInt(k, 10, 64)
		must(err)
		id, err := base64.StdEncoding.DecodeString(v)
		must(err)
		if len(id) != 32 {
			must(fmt.Errorf("ID of %d bytes", len(id)))
		}
		if _, dup := ids[i]; dup {
			fail("two transactions at index %d", i)
		}
		ids[i] = id
	}
	must(s.Err())
	return ids
}

func parseProofJSON(body []byte) ([]tlog.Hash, error) {
	var answer struct {
		Proof []string `json:"proof"`
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&answer); err != nil {
		return nil, err
	}
	if answer.Proof == nil {
		return nil, fmt.Errorf("no proof member in %s", body)
	}
	proof := make([]tlog.Hash, len(answer.Proof))
	for i, s := range answer.Proof {
		h, err := tlog.ParseHash(s)
		if err != nil {
			return nil, err
		}
		proof[i] = h
	}
	return proof, nil
}

func sameProof(a, b []tlog.Hash) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkEntries compares every entry bundle with the submitted IDs and with
// the leaf hashes the hash tiles hold.
func checkEntries(n *node, hr tlog.HashReader, size int64, ids map[int64][]byte) {
	for k := int64(0); k*256 < size; k++ {
		w := size - k*256
		if w > 256 {
			w = 256
		}
		t := tlog.Tile{H: height, L: -1, N: k, W: int(w)}
		data := n.mustGet(ourPath(t))
		for j := int64(0); j < w; j++ {
			if len(data) < 2 {
				fail("entry bundle %s is truncated", ourPath(t))
				break
			}
			l := int(binary.BigEndian.Uint16(data))
			if l != 32 || len(data) < 2+l {
				fail("entry %d in %s: length %d", k*256+j, ourPath(t), l)
				break
			}
			id := data[2 : 2+l]
			data = data[2+l:]
			index := k*256 + j
			if want, ok := ids[index]; !ok || string(want) != string(id) {
				fail("entry %d is not the transaction submitted there", index)
			}
			hashes, err := hr.ReadHashes([]int64{tlog.StoredHashIndex(0, index)})
			if err != nil || hashes[0] != tlog.RecordHash(id) {
				fail("leaf hash %d differs from the entry's RecordHash (%v)", index, err)
			}
		}
		if len(data) != 0 {
			fail("trailing bytes in %s", ourPath(t))
		}
	}
}

func checkInclusion(n *node, hr tlog.HashReader, size int64, ids map[int64][]byte) int {
	checked := 0
	indices := []int64{0, 1, 2, 255, 256, 257, size / 3, size / 2, size - 2, size - 1}
	for _, i := range indices {
		if i < 0 || i >= size {
			continue
		}
		for _, s := range []int64{i + 1, (i + 1 + size) / 2, size} {
			root, err := tlog.TreeHash(s, hr)
			must(err)
			status, body := n.get(fmt.Sprintf("/v1/log/proof/inclusion?index=%d&size=%d", i, s))
			if status != http.StatusOK {
				fail("inclusion %d in %d: HTTP %d %s", i, s, status, body)
				continue
			}
			proof, err := parseProofJSON(body)
			if err != nil {
				fail("inclusion %d in %d: %v", i, s, err)
				continue
			}
			leaf := tlog.RecordHash(ids[i])
			if err := tlog.CheckRecord(tlog.RecordProof(proof), s, root, i, leaf); err != nil {
				fail("tlog.CheckRecord(%d in %d): %v", i, s, err)
				continue
			}
			goProof, err := tlog.ProveRecord(s, i, hr)
			must(err)
			if !sameProof(proof, goProof) {
				fail("inclusion %d in %d differs from tlog.ProveRecord", i, s)
			}
			// A proof that checks anything would be no check at all.
			if len(proof) > 0 {
				bad := append([]tlog.Hash(nil), proof...)
				bad[len(bad)-1][0] ^= 1
				if tlog.CheckRecord(tlog.RecordProof(bad), s, root, i, leaf) == nil {
					fail("a tampered inclusion proof %d in %d passed", i, s)
				}
			}
			checked++
		}
	}
	return checked
}

func checkConsistency(n *node, hr tlog.HashReader, size int64) int {
	checked := 0
	pairs := [][2]int64{{1, size}, {2, 3}, {24, size}, {100, 256}, {256, 512}, {255, size}, {size / 2, size}, {size - 1, size}, {size, size}}
	for _, p := range pairs {
		o, s := p[0], p[1]
		if o < 1 || o > s || s > size {
			continue
		}
		oldRoot, err := tlog.TreeHash(o, hr)
		must(err)
		newRoot, err := tlog.TreeHash(s, hr)
		must(err)
		status, body := n.get(fmt.Sprintf("/v1/log/proof/consistency?old=%d&new=%d", o, s))
		if status != http.StatusOK {
			fail("consistency %d → %d: HTTP %d %s", o, s, status, body)
			continue
		}
		proof, err := parseProofJSON(body)
		if err != nil {
			fail("consistency %d → %d: %v", o, s, err)
			continue
		}
		if err := tlog.CheckTree(tlog.TreeProof(proof), s, newRoot, o, oldRoot); err != nil {
			fail("tlog.CheckTree(%d → %d): %v", o, s, err)
			continue
		}
		goProof, err := tlog.ProveTree(s, o, hr)
		must(err)
		if !sameProof(proof, goProof) {
			fail("consistency %d → %d differs from tlog.ProveTree", o, s)
		}
		checked++
	}
	return checked
}

// checkReceipt parses a c2sp.org/tlog-proof@v1 bundle, opens its checkpoint
// and checks the inclusion of the entry's ID; the checkpoint must be a
// prefix of the log the tiles describe.
func checkReceipt(name string, text []byte, verifiers note.Verifiers, origin string, hr tlog.HashReader, ids map[int64][]byte) {
	header, rest, ok := strings.Cut(string(text), "\n")
	if !ok || header != "c2sp.org/tlog-proof@v1" {
		fail("receipt %s: header %q", name, header)
		return
	}
	indexLine, rest, ok := strings.Cut(rest, "\n")
	if !ok || !strings.HasPrefix(indexLine, "index ") {
		fail("receipt %s: index line %q", name, indexLine)
		return
	}
	index, err := strconv.ParseInt(strings.TrimPrefix(indexLine, "index "), 10, 64)
	if err != nil {
		fail("receipt %s: %v", name, err)
		return
	}
	// The proof lines end at the first blank line (the checkpoint has one
	// of its own further on); with no hashes it follows the index line.
	hashText, msg := "", ""
	if strings.HasPrefix(rest, "\n") {
		msg = rest[1:]
	} else if hashText, msg, ok = strings.Cut(rest, "\n\n"); !ok {
		fail("receipt %s: no blank line before the checkpoint", name)
		return
	}
	var proof tlog.RecordProof
	if hashText != "" {
		for _, line := range strings.Split(hashText, "\n") {
			h, err := tlog.ParseHash(line)
			if err != nil {
				fail("receipt %s: hash %q: %v", name, line, err)
				return
			}
			proof = append(proof, h)
		}
	}
	c, ok := openCheckpoint([]byte(msg), verifiers, origin)
	if !ok {
		return
	}
	if err := tlog.CheckRecord(proof, c.size, c.root, index, tlog.RecordHash(ids[index])); err != nil {
		fail("receipt %s: tlog.CheckRecord(%d in %d): %v", name, index, c.size, err)
		return
	}
	root, err := tlog.TreeHash(c.size, hr)
	must(err)
	if root != c.root {
		fail("receipt %s: its checkpoint of size %d is not a prefix of the log", name, c.size)
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: check-live-node DIR")
		os.Exit(2)
	}
	dir := os.Args[1]
	info := readInfo(dir)
	ids := readIDs(dir)

	verifier, err := note.NewVerifier(info["key"])
	must(err)
	verifiers := note.VerifierList(verifier)
	origin := verifier.Name()
	expected, err := strconv.ParseInt(info["size"], 10, 64)
	must(err)
	if int64(len(ids)) != expected {
		fail("%d transactions recorded for a log of %d", len(ids), expected)
	}

	n := newNode(info["url"], info["cert"])

	c, ok := openCheckpoint(n.mustGet("/log/checkpoint"), verifiers, origin)
	if !ok {
		os.Exit(1)
	}
	if c.size != expected {
		fail("checkpoint size %d, expected %d", c.size, expected)
	}

	tr := &tileReader{n: n, cache: map[string][]byte{}}
	hr := tlog.TileHashReader(tlog.Tree{N: c.size, Hash: c.root}, tr)
	root, err := tlog.TreeHash(c.size, hr)
	if err != nil {
		fail("tlog.TreeHash over the node's tiles: %v", err)
	} else if root != c.root {
		fail("root from the tiles %v, checkpoint says %v", root, c.root)
	}

	checkEntries(n, hr, c.size, ids)
	nInclusion := checkInclusion(n, hr, c.size, ids)
	nConsistency := checkConsistency(n, hr, c.size)

	entries, err := os.ReadDir(filepath.Join(dir, "receipts"))
	must(err)
	names := []string{}
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	for _, name := range names {
		text, err := os.ReadFile(filepath.Join(dir, "receipts", name))
		must(err)
		checkReceipt(name, text, verifiers, origin, hr, ids)
	}

	// A tile past the checkpoint is not served.
	if status, _ := n.get(ourPath(tlog.Tile{H: height, L: 0, N: (c.size + 255) / 256, W: 256})); status != http.StatusNotFound {
		fail("a tile beyond the checkpoint: HTTP %d, expected 404", status)
	}

	if failures > 0 {
		fmt.Fprintf(os.Stderr, "%d failures\n", failures)
		os.Exit(1)
	}
	fmt.Printf("ok: checkpoint of %d entries opened with note.Open; root recomputed from %d tiles; "+
		"%d entries, %d inclusion proofs, %d consistency proofs, %d receipts checked with sumdb/tlog\n",
		c.size, tr.reads, len(ids), nInclusion, nConsistency, len(names))
}
