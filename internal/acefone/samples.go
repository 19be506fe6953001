package acefone

import (
	"github.com/onboard/onboard/internal/schema"
	"github.com/onboard/onboard/internal/schema/sample"
)

// Sample rows for samples/vendor-sheets.xlsx (internal/templates/samplegen):
// realistic rows with a few deliberate mistakes (sample.Wrong) and values
// that look wrong but are valid (sample.Fine).

// SampleSheets are the Acefone tab of the sample workbook.
func SampleSheets() []sample.Sheet {
	return []sample.Sheet{sampleUsers()}
}

func sampleUsers() sample.Sheet {
	t := User
	return sample.Sheet{
		Name:   t.ID, // named by target ID rather than label
		Target: t,
		Columns: sample.Labels(t, false, "name", "number", "create_agent", "email", "login_id", "user_role", "password", "status",
			"caller_id", "department", "time_group"),
		Rows: [][]any{
			{"Priya Sharma", "+91 98765 43210", true, "priya.sharma@acme.example", "priya.sharma", int64(3), "Welcome#2024a", true, int64(101), "Sales Department", "Day Shift"},
			{"Rahul Verma", sample.Fine(int64(919876543211), "a mobile number typed as a number (Excel shows 9.19877E+11); the exact digits are kept"),
				true, "rahul.verma@acme.example", "rahul.verma", int64(3), "Monsoon!Tea42", true, "101, 102", "Sales Department, Finance Department", "Evening Shift"},
			{"Ananya Iyer", sample.Fine("09876543212", "a mobile number with a leading 0, typed as text, keeps it"), false,
				"ananya.iyer@acme.example", "ananya.iyer", int64(2), "Lotus-Pond-88", true, int64(103), "Finance Department", "Day Shift"},
			{"Vikram Singh", "+91-98765-43213", true, "vikram.singh@acme.example", "vikram.singh",
				int64(3), sample.Wrong(nil, schema.RuleRequired, "Acefone requires a password for every user", ""), true, int64(104), "Support", "Night Shift"},
			{"Meera Nair", "+91 98450 12345", true, "meera.nair@acme.example", "meera.nair", int64(3), "Backwater#Kochi7", true, int64(105), "Support", "Day Shift"},
			{"Arjun Mehta", "+91 99200 54321", false, "arjun.mehta@acme.example", "arjun.mehta", int64(5), "Gateway*Arch19", true, int64(106), "Finance Department", "Day Shift"},
			{"王芳", "+86 138 0013 8000", true, "wang.fang@acme.example", "wang.fang", int64(3), "Jade&Lantern55", true, int64(107), "Support", "Evening Shift"},
			{"Kavya Reddy", "+91 90000 11223", true, "kavya.reddy@acme.example", "kavya.reddy", int64(3), "Charminar_2024", sample.Fine("no", "Enabled typed as no is read as FALSE"), int64(108), "Sales Department", "Day Shift"},
			{"Rohan Das", "+91 98300 44556", true, "rohan.das@acme.example", "rohan.das", int64(3), "Howrah^Bridge31", true, "109,110", "Sales Department", "Evening Shift"},
			{"Sneha Kulkarni", "+91 97300 67890", false, "sneha.kulkarni@acme.example", "sneha.kulkarni", int64(4), "Deccan+Plateau6", true, int64(111), "Operations", "Day Shift"},
		},
	}
}
