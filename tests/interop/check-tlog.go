// check-tlog.go verifies, with the Go reference golang.org/x/mod/sumdb/tlog,
// what gen-tlog.c wrote: roots, RFC 9162 inclusion and consistency proofs,
// and the c2sp.org/tlog-tiles tiles and entry bundles of each published size.
// Usage: go run check-tlog.go DIR (GOPATH mode). Exits non-zero on any mismatch.
package main

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

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

func parseHash(s string) tlog.Hash {
	h, err := tlog.ParseHash(s)
	must(err)
	return h
}

func parseInt(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	must(err)
	return n
}

func parseProof(s string) []tlog.Hash {
	if s == "-" {
		return nil
	}
	var hashes []tlog.Hash
	for _, f := range strings.Split(s, ",") {
		hashes = append(hashes, parseHash(f))
	}
	return hashes
}

func readLines(dir, name string) [][]string {
	f, err := os.Open(filepath.Join(dir, name))
	must(err)
	defer f.Close()
	var lines [][]string
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 1<<20), 1<<20)
	for s.Scan() {
		lines = append(lines, strings.Fields(s.Text()))
	}
	must(s.Err())
	return lines
}

func sameHashes(a, b []tlog.Hash) bool {
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

// Our layout drops Go's height element: tile/<L>/<N>, tile/entries/<N>.
func ourPath(t tlog.Tile) string {
	p := strings.TrimPrefix(t.Path(), fmt.Sprintf("tile/%d/", height))
	if t.L == -1 {
		return "tile/entries/" + strings.TrimPrefix(p, "data/")
	}
	return "tile/" + p
}

type fileTiles struct{ dir string }

func (r fileTiles) Height() int { return height }

func (r fileTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	var data [][]byte
	for _, t := range tiles {
		b, err := os.ReadFile(filepath.Join(r.dir, ourPath(t)))
		if err != nil {
			return nil, err
		}
		data = append(data, b)
	}
	return data, nil
}

func (r fileTiles) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

// tilesFor lists the full tiles and the one partial tile per level that a
// tree of size n has, as c2sp.org/tlog-tiles serves them.
func tilesFor(n int64) []tlog.Tile {
	var tiles []tlog.Tile
	for level := 0; n>>(height*level) > 0; level++ {
		hashes := n >> (height * level)
		for i := int64(0); i < hashes>>height; i++ {
			tiles = append(tiles, tlog.Tile{H: height, L: level, N: i, W: 1 << height})
		}
		if w := int(hashes % (1 << height)); w > 0 {
			tiles = append(tiles, tlog.Tile{H: height, L: level, N: hashes >> height, W: w})
		}
	}
	return tiles
}

// readEntries parses the entry bundles of a tree of size n: big-endian
// uint16 length, then the entry, W times per bundle, nothing after.
func readEntries(dir string, n int64) [][]byte {
	var entries [][]byte
	for _, t := range tilesFor(n) {
		if t.L != 0 {
			continue
		}
		t.L = -1
		b, err := os.ReadFile(filepath.Join(dir, ourPath(t)))
		must(err)
		for i := 0; i < t.W; i++ {
			if len(b) < 2 || len(b) < 2+(int(b[0])<<8|int(b[1])) {
				fail("truncated entry bundle %s", ourPath(t))
				return entries
			}
			l := int(b[0])<<8 | int(b[1])
			if l != 32 {
				fail("entry of %d bytes in %s", l, ourPath(t))
			}
			entries = append(entries, b[2:2+l])
			b = b[2+l:]
		}
		if len(b) != 0 {
			fail("trailing bytes in entry bundle %s", ourPath(t))
		}
	}
	return entries
}

// storedHashes builds Go's own hash storage from the entries.
func storedHashes(entries [][]byte) tlog.HashReaderFunc {
	var stored []tlog.Hash
	reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			if x >= int64(len(stored)) {
				return nil, fmt.Errorf("hash %d not stored", x)
			}
			out[i] = stored[x]
		}
		return out, nil
	})
	for i, e := range entries {
		h, err := tlog.StoredHashes(int64(i), e, reader)
		must(err)
		stored = append(stored, h...)
	}
	return reader
}

func checkPublished(dir string, n int64, root tlog.Hash, ref tlog.HashReader, leaves []tlog.Hash) {
	if h, err := tlog.TreeHash(n, ref); err != nil || h != root {
		fail("size %d: root %v, Go computes %v (%v)", n, root, h, err)
	}
	thr := tlog.TileHashReader(tlog.Tree{N: n, Hash: root}, fileTiles{dir})
	if h, err := tlog.TreeHash(n, thr); err != nil || h != root {
		fail("size %d: root from tiles %v, want %v (%v)", n, h, root, err)
	}
	for _, t := range tilesFor(n) {
		want, err := tlog.ReadTileData(t, ref)
		must(err)
		got, err := os.ReadFile(filepath.Join(dir, ourPath(t)))
		if err != nil || string(got) != string(want) {
			fail("tile %s differs from Go's (%v)", ourPath(t), err)
		}
	}
	for _, i := range []int64{0, n / 3, n / 2, n - 1} {
		p, err := tlog.ProveRecord(n, i, thr)
		if err != nil || tlog.CheckRecord(p, n, root, i, leaves[i]) != nil {
			fail("size %d: proof of %d through the tiles fails (%v)", n, i, err)
		}
	}
}

func checkInclusion(fields []string, ref tlog.HashReader, leaves []tlog.Hash) {
	index, size := parseInt(fields[0]), parseInt(fields[1])
	root, proof := parseHash(fields[2]), parseProof(fields[3])
	if h, err := tlog.TreeHash(size, ref); err != nil || h != root {
		fail("root of size %d: ours %v, Go's %v", size, root, h)
	}
	if err := tlog.CheckRecord(proof, size, root, index, leaves[index]); err != nil {
		fail("inclusion %d in %d: %v", index, size, err)
	}
	if want, err := tlog.ProveRecord(size, index, ref); err != nil || !sameHashes(proof, want) {
		fail("inclusion %d in %d differs from Go's proof", index, size)
	}
	if len(proof) > 0 {
		bad := append([]tlog.Hash(nil), proof...)
		bad[len(bad)-1][7] ^= 0x10
		if tlog.CheckRecord(bad, size, root, index, leaves[index]) == nil {
			fail("Go accepted a corrupted proof: the checker is not checking")
		}
	}
}

func checkConsistency(fields []string, ref tlog.HashReader) {
	oldSize, newSize := parseInt(fields[0]), parseInt(fields[1])
	oldRoot, newRoot, proof := parseHash(fields[2]), parseHash(fields[3]), parseProof(fields[4])
	if err := tlog.CheckTree(proof, newSize, newRoot, oldSize, oldRoot); err != nil {
		fail("consistency %d -> %d: %v", oldSize, newSize, err)
	}
	if want, err := tlog.ProveTree(newSize, oldSize, ref); err != nil || !sameHashes(proof, want) {
		fail("consistency %d -> %d differs from Go's proof", oldSize, newSize)
	}
}

// Every file under tile/ must be a tile Go would name the same way.
func checkTileNames(dir string, published map[int64]bool) int {
	expected := map[string]bool{}
	for n := range published {
		for _, t := range tilesFor(n) {
			expected[ourPath(t)] = true
			if t.L == 0 {
				t.L = -1
				expected[ourPath(t)] = true
			}
		}
	}
	count := 0
	err := filepath.WalkDir(filepath.Join(dir, "tile"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		goPath := strings.Replace(rel, "tile/", fmt.Sprintf("tile/%d/", height), 1)
		goPath = strings.Replace(goPath, "/entries/", "/data/", 1)
		if t, err := tlog.ParseTilePath(goPath); err != nil || ourPath(t) != rel {
			fail("file %s is not a canonical tile path (%v)", rel, err)
		}
		if !expected[rel] {
			fail("unexpected tile file %s", rel)
		}
		count++
		return nil
	})
	must(err)
	if count != len(expected) {
		fail("%d tile files, want %d", count, len(expected))
	}
	return count
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: check-tlog DIR")
		os.Exit(2)
	}
	dir := os.Args[1]

	checkpoints := readLines(dir, "checkpoints")
	final := parseInt(checkpoints[len(checkpoints)-1][0])
	entries := readEntries(dir, final)
	if int64(len(entries)) != final {
		fail("%d entries in the bundles, want %d", len(entries), final)
		os.Exit(1)
	}
	var leaves []tlog.Hash
	for _, e := range entries {
		leaves = append(leaves, tlog.RecordHash(e))
	}
	ref := storedHashes(entries)

	published := map[int64]bool{}
	for _, c := range checkpoints {
		n := parseInt(c[0])
		published[n] = true
		checkPublished(dir, n, parseHash(c[1]), ref, leaves)
	}
	nTiles := checkTileNames(dir, published)

	inclusion := readLines(dir, "inclusion")
	for _, f := range inclusion {
		checkInclusion(f, ref, leaves)
	}
	consistency := readLines(dir, "consistency")
	for _, f := range consistency {
		checkConsistency(f, ref)
	}

	fmt.Printf("checked %d checkpoints, %d tile files, %d inclusion and %d consistency proofs: %d failures\n",
		len(checkpoints), nTiles, len(inclusion), len(consistency), failures)
	if failures > 0 || len(inclusion) == 0 || len(consistency) == 0 {
		os.Exit(1)
	}
}
