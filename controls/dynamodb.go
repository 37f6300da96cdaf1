package controls

// dynamodbControls are the controls of DynamoDB tables (components/database).
var dynamodbControls = []*Control{}
