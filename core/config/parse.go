package config

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/zugbruecke/zugbruecke/core/abi"
)

// kind is the Go type a parameter value has once converted.
type kind int

const (
	kindString kind = iota // string
	kindInt                // int
	kindBool               // bool
	kindFloat              // float64
)

// maxExactInt is the largest integer magnitude a float64 holds exactly.
const maxExactInt = 1 << 53

// convert checks a typed value (keyword argument, JSON file, Set) of parameter name.
func convert(name string, raw any, source string) (any, error) {
	p, ok := params[name]
	if !ok {
		return nil, &UnknownKeyError{Key: name, Source: source}
	}
	v, reason := fromValue(p.kind, raw)
	return finish(name, p, raw, v, source, reason, nil)
}

// convertEnv checks the string value of an environment variable setting parameter name.
func convertEnv(name, raw, source string) (any, error) {
	p := params[name]
	v, reason, err := fromString(p.kind, raw)
	return finish(name, p, raw, v, source, reason, err)
}

// finish applies the parameter's own check and builds the ValueError, if any.
func finish(name string, p param, raw, v any, source, reason string, err error) (any, error) {
	if reason == "" && p.check != nil {
		reason = p.check(v)
	}
	if reason != "" {
		return nil, &ValueError{Key: name, Value: raw, Source: source, Reason: reason, Err: err}
	}
	return v, nil
}

// fromValue converts a Go or JSON-decoded value to kind k; no strings stand in for other kinds.
func fromValue(k kind, raw any) (any, string) {
	switch k {
	case kindString:
		if s, ok := raw.(string); ok {
			return s, ""
		}
		return nil, "must be a string"
	case kindBool:
		if b, ok := raw.(bool); ok {
			return b, ""
		}
		return nil, "must be a boolean"
	case kindInt:
		if i, ok := toInt(raw); ok {
			return i, ""
		}
		return nil, "must be an integer"
	default:
		if f, ok := toFloat(raw); ok && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return f, ""
		}
		return nil, "must be a finite number"
	}
}

// fromString parses an environment variable's value as kind k.
func fromString(k kind, s string) (any, string, error) {
	switch k {
	case kindString:
		return s, "", nil
	case kindBool:
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true", "1", "yes":
			return true, "", nil
		case "false", "0", "no":
			return false, "", nil
		}
		return nil, "must be one of true, false, 1, 0, yes, no", nil
	case kindInt:
		i, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return nil, "must be an integer", err
		}
		return i, "", nil
	default:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return nil, "must be a number", err
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, "must be a finite number", nil
		}
		return f, "", nil
	}
}

// toInt accepts Go integers and integral floats (JSON numbers arrive as float64).
func toInt(raw any) (int, bool) {
	switch v := raw.(type) {
	case int:
		return v, true
	case int32:
		return int(v), true
	case int64:
		if int64(int(v)) == v {
			return int(v), true
		}
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return toInt(i)
		}
		if f, err := v.Float64(); err == nil {
			return toInt(f)
		}
	case float32:
		return toInt(float64(v))
	case float64:
		if v == math.Trunc(v) && math.Abs(v) <= maxExactInt {
			return int(v), true
		}
	}
	return 0, false
}

// toFloat accepts Go floats and integers and json.Number.
func toFloat(raw any) (float64, bool) {
	switch v := raw.(type) {
	case float64:
		return v, true
	case float32:
		return float64(v), true
	case int:
		return float64(v), true
	case int32:
		return float64(v), true
	case int64:
		return float64(v), true
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	}
	return 0, false
}

// validArch accepts the names of core/abi.Arches.
func validArch(v any) string {
	if _, err := abi.ByName(v.(string)); err != nil {
		return abi.ArchReason()
	}
	return ""
}

// oneOf returns a check that accepts only the strings in allowed.
func oneOf(allowed []string) func(any) string {
	return func(v any) string {
		for _, a := range allowed {
			if v.(string) == a {
				return ""
			}
		}
		quoted := make([]string, len(allowed))
		for i, a := range allowed {
			quoted[i] = strconv.Quote(a)
		}
		return "must be one of " + strings.Join(quoted, ", ")
	}
}

// nonNegative rejects integers below zero.
func nonNegative(v any) string {
	if v.(int) < 0 {
		return "must not be negative"
	}
	return ""
}

// positive rejects numbers that are zero or below.
func positive(v any) string {
	if v.(float64) <= 0 {
		return "must be greater than zero"
	}
	return ""
}

// show formats a value for an error message: strings quoted, everything else as %v.
func show(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	if v == nil {
		return "null"
	}
	return fmt.Sprintf("%v", v)
}
