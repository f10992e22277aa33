module github.com/latchkeyhq/latchkey/sdk/go

go 1.26
