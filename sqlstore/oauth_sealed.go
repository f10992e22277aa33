package sqlstore

import (
	"fmt"

	"github.com/latchkeyhq/latchkey/seal"
)

// sealText seals a secret for one column of one row: the additional data
// names the table, the row and the column, so a sealed value copied into
// another row or column does not open. An empty secret is stored as NULL.
func sealText(box *seal.Box, plaintext, table, id, column string) []byte {
	if plaintext == "" {
		return nil
	}
	return box.Seal([]byte(plaintext), sealedAD(table, id, column))
}

// openText opens what sealText sealed; NULL opens as "".
func openText(box *seal.Box, sealed []byte, table, id, column string) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	b, err := box.Open(sealed, sealedAD(table, id, column))
	if err != nil {
		return "", fmt.Errorf("open %s.%s of %s: %w", table, column, id, err)
	}
	return string(b), nil
}

func sealedAD(table, id, column string) []byte {
	return []byte(table + ":" + id + ":" + column)
}
