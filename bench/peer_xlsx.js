// The peer bench.sh times beside `onboard validate WORKBOOK --report`: SheetJS
// (the npm package xlsx) only reading the same workbook into rows, as the
// performance issue compared. bench.sh installs it into bench/out/peer.
//
// usage: node peer_xlsx.js FILE.xlsx   (prints the number of rows read)
const path = require("path");
const XLSX = require(path.resolve(process.env.PEER_DIR || "bench/out/peer", "node_modules", "xlsx"));
const wb = XLSX.readFile(process.argv[2]);
const rows = XLSX.utils.sheet_to_json(wb.Sheets[wb.SheetNames[0]], { header: 1 });
console.log(rows.length - 1, "rows");
