// check-note.go: opens the signed notes and the cosigned checkpoint written by
// gen-note.c with Go's golang.org/x/mod/sumdb/note, then signs a note with Go
// for the core to check in turn.
//
// Specs: https://c2sp.org/signed-note, https://c2sp.org/tlog-checkpoint,
// https://c2sp.org/tlog-cosignature.
//
// Usage: go run check-note.go DIR (GOPATH mode, see run-go-check.sh).
package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

var dir string

func read(name string) string {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		fail("%v", err)
	}
	return string(b)
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "check-note: "+format+"\n", args...)
	os.Exit(1)
}

// readKeys parses keys.txt: one "<label> <verifier key>" per line.
func readKeys() map[string]string {
	keys := make(map[string]string)
	for _, line := range strings.Split(strings.TrimSuffix(read("keys.txt"), "\n"), "\n") {
		label, vkey, ok := strings.Cut(line, " ")
		if !ok {
			fail("bad keys.txt line %q", line)
		}
		keys[label] = vkey
	}
	return keys
}

func verifier(vkey string) note.Verifier {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		fail("note.NewVerifier(%q): %v", vkey, err)
	}
	return v
}

// cosigVerifier checks tlog-cosignature/v1 signatures, which the note
// package does not know: key type 0x04, signature = time || Ed25519 over
// "cosignature/v1\ntime <t>\n" || note text.
type cosigVerifier struct {
	name     string
	hash     uint32
	key      ed25519.PublicKey
	lastTime uint64
}

func newCosigVerifier(vkey string) *cosigVerifier {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 {
		fail("bad witness key %q", vkey)
	}
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 33 || raw[0] != 0x04 {
		fail("witness key %q is not a type 0x04 Ed25519 key", vkey)
	}
	h := sha256.Sum256(append([]byte(parts[0]+"\n"), raw...))
	hash := binary.BigEndian.Uint32(h[:4])
	if fmt.Sprintf("%08x", hash) != parts[1] {
		fail("witness key %q: key ID should be %08x", vkey, hash)
	}
	return &cosigVerifier{name: parts[0], hash: hash, key: ed25519.PublicKey(raw[1:])}
}

func (v *cosigVerifier) Name() string    { return v.name }
func (v *cosigVerifier) KeyHash() uint32 { return v.hash }
func (v *cosigVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	t := binary.BigEndian.Uint64(sig[:8])
	signed := []byte(fmt.Sprintf("cosignature/v1\ntime %d\n", t))
	signed = append(signed, msg...)
	if !ed25519.Verify(v.key, signed, sig[8:]) {
		return false
	}
	v.lastTime = t
	return true
}

func open(file string, verifiers ...note.Verifier) *note.Note {
	n, err := note.Open([]byte(read(file)), note.VerifierList(verifiers...))
	if err != nil {
		fail("note.Open(%s): %v", file, err)
	}
	return n
}

func expectSigs(file string, n *note.Note, names ...string) {
	if n.Text != read(strings.TrimSuffix(file, ".note")+".txt") {
		fail("%s: text %q differs from what the generator wrote", file, n.Text)
	}
	if len(n.Sigs) != len(names) {
		fail("%s: %d verified signatures, want %d", file, len(n.Sigs), len(names))
	}
	for i, name := range names {
		if n.Sigs[i].Name != name {
			fail("%s: signature %d by %q, want %q", file, i, n.Sigs[i].Name, name)
		}
	}
}

func checkNotes(keys map[string]string) {
	alice, bob := verifier(keys["alice"]), verifier(keys["bob"])

	expectSigs("plain.note", open("plain.note", alice), "alice.example/a")
	expectSigs("two.note", open("two.note", alice, bob), "alice.example/a", "bob.example/b")

	// With one key known, the other signature is reported unverified.
	n := open("two.note", bob)
	if len(n.Sigs) != 1 || len(n.UnverifiedSigs) != 1 || n.UnverifiedSigs[0].Name != "alice.example/a" {
		fail("two.note with bob only: %d verified, %d unverified", len(n.Sigs), len(n.UnverifiedSigs))
	}

	// A tampered copy must not open.
	tampered := strings.Replace(read("plain.note"), "interop", "Interop", 1)
	if _, err := note.Open([]byte(tampered), note.VerifierList(alice)); err == nil {
		fail("tampered plain.note opened")
	}
}

func checkCheckpoint(keys map[string]string) {
	log := verifier(keys["log"])
	witness := newCosigVerifier(keys["witness"])

	n := open("checkpoint.note", log)
	expectSigs("checkpoint.note", n, "consent.example.org/log")
	if len(n.UnverifiedSigs) != 1 || n.UnverifiedSigs[0].Name != witness.name ||
		n.UnverifiedSigs[0].Hash != witness.hash {
		fail("checkpoint.note: cosignature not seen as an unknown signature")
	}

	n = open("checkpoint.note", log, witness)
	expectSigs("checkpoint.note", n, "consent.example.org/log", witness.name)
	want, _ := strconv.ParseUint(strings.TrimSpace(read("cosignature-time.txt")), 10, 64)
	if witness.lastTime != want {
		fail("checkpoint.note: cosignature time %d, want %d", witness.lastTime, want)
	}

	lines := strings.Split(n.Text, "\n")
	if len(lines) != 4 || lines[0] != log.Name() || lines[3] != "" {
		fail("checkpoint.note: text %q is not origin, size, root", n.Text)
	}
	if _, err := strconv.ParseUint(lines[1], 10, 64); err != nil {
		fail("checkpoint.note: bad tree size %q", lines[1])
	}
	if root, err := base64.StdEncoding.DecodeString(lines[2]); err != nil || len(root) != 32 {
		fail("checkpoint.note: bad root hash %q", lines[2])
	}
}

// signForCore signs a note with the key the generator wrote in Go's
// PRIVATE+KEY form and asks the generator to verify and reproduce it.
func signForCore() {
	signer, err := note.NewSigner(strings.TrimSpace(read("go-signer.key")))
	if err != nil {
		fail("note.NewSigner: %v", err)
	}
	text := "Signed by Go for the core.\n\nSecond paragraph — with an em dash.\n"
	msg, err := note.Sign(&note.Note{Text: text}, signer)
	if err != nil {
		fail("note.Sign: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go-signed.note"), msg, 0o600); err != nil {
		fail("%v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go-signed.txt"), []byte(text), 0o600); err != nil {
		fail("%v", err)
	}

	var out bytes.Buffer
	cmd := exec.Command(read("generator"), "--check", dir)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		fail("core rejected the Go-signed note: %v\n%s", err, out.String())
	}
	fmt.Print(out.String())
}

func main() {
	if len(os.Args) != 2 {
		fail("usage: go run check-note.go DIR")
	}
	dir = os.Args[1]
	keys := readKeys()
	checkNotes(keys)
	checkCheckpoint(keys)
	signForCore()
	fmt.Println("check-note: all notes and the checkpoint verified with golang.org/x/mod/sumdb/note")
}
