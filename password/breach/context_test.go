package breach

import "testing"

func TestContextMatch(t *testing.T) {
	t.Parallel()
	// The words a sign-up for ada.lovelace@analytical.example on an
	// application called Latchkey would pass.
	ada := []string{"ada.lovelace", "analytical", "ada_l", "Ada", "Lovelace", "Latchkey"}
	tests := []struct {
		pw    string
		words []string
		want  bool
	}{
		// Whole words of 4+ characters, anywhere, any case.
		{"ada.lovelace", ada, true},
		{"ada.lovelace2024", ada, true},
		{"ADA.LOVELACE!", ada, true},
		{"mylatchkeypass", ada, true},
		{"Analytical-Engine-1843", ada, true},
		// Parts of a word: "lovelace" from the local part.
		{"ilovelovelace", ada, true},
		{"LOVELACE1815", ada, true},
		// Short words only with digits, symbols or spaces around them.
		{"ada12345", ada, true},
		{"!!Ada2024!!", ada, true},
		{"2024 ada !", ada, true},
		{"canada-geese-fly", ada, false},
		{"adamant-rocks-9", ada, false},
		{"correct horse battery staple", ada, false},
		// "ada_l" gives the part "l": single characters are ignored.
		{"l12345678", []string{"ada_l"}, false},
		// Two-character names count with the affix rule.
		{"li19900101", []string{"Li"}, true},
		{"lightning-bolt", []string{"Li"}, false},
		// Words without letters are ignored, whole or as parts.
		{"secret-1985-xyz", []string{"1985"}, false},
		{"call-5551234-now", []string{"+1 555 1234"}, false},
		{"horse1985staple", []string{"ada.1985"}, false},
		// Folding applies to words and password alike.
		{"ｌｏｖｅｌａｃｅ99", ada, true},
		{"lovelace99", []string{"  LOVELACE  "}, true},
		{"ÉLODIE2020", []string{"élodie"}, true},
		// Nothing to compare against.
		{"ada.lovelace", nil, false},
		{"ada.lovelace", []string{"", "  "}, false},
		{"", ada, false},
	}
	for _, tt := range tests {
		if got := ContextMatch(tt.pw, tt.words); got != tt.want {
			t.Errorf("ContextMatch(%q, %q) = %v, want %v", tt.pw, tt.words, got, tt.want)
		}
	}
}
