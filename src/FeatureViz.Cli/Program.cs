System.Console.WriteLine("featureviz");
